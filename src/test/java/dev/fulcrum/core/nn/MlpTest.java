package dev.fulcrum.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

class MlpTest {

    @Test
    void gradientMatchesFiniteDifferences() {
        try (NDManager m = Torch.newManager()) {
            Rng rng = new Rng(1);
            Mlp mlp = new Mlp(m, 4, new int[] {8, 8}, 2, DataType.FLOAT64, rng);
            NDArray x = m.create(rng.gaussians(5 * 4, 1.0), new Shape(5, 4)).toType(DataType.FLOAT64, false);
            GradCheck.Result r = GradCheck.check(mlp.parameters(), () -> mlp.forward(x).square().mean(), 1e-6, 1000);
            assertTrue(r.maxRelativeError() < 1e-6, r.toString());
            assertEquals(mlp.parameterCount(), r.elementsChecked());
        }
    }

    @Test
    void sameSeedSameInitialisation() {
        try (NDManager m = Torch.newManager()) {
            Mlp a = new Mlp(m, 3, new int[] {16}, 1, DataType.FLOAT32, new Rng(7));
            Mlp b = new Mlp(m, 3, new int[] {16}, 1, DataType.FLOAT32, new Rng(7));
            a.parameters().forEach((k, v) -> assertTrue(v.contentEquals(b.parameters().get(k)), k));
        }
    }

    @Test
    void softUpdateIsPolyakAverage() {
        try (NDManager m = Torch.newManager()) {
            Mlp a = new Mlp(m, 2, new int[] {4}, 1, DataType.FLOAT64, new Rng(1));
            Mlp b = new Mlp(m, 2, new int[] {4}, 1, DataType.FLOAT64, new Rng(2));
            double[] before = a.parameters().get("0.weight").toDoubleArray();
            double[] src = b.parameters().get("0.weight").toDoubleArray();
            try (NDScope ignored = new NDScope()) {
                a.softUpdateFrom(b, 0.25);
            }
            double[] after = a.parameters().get("0.weight").toDoubleArray();
            for (int i = 0; i < after.length; i++) {
                assertEquals(0.75 * before[i] + 0.25 * src[i], after[i], 1e-12);
            }
        }
    }
}
