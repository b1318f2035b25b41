package dev.fulcrum.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingUtilitiesTest {

    /** Gradients (3, 4) and (12): global norm 13, by hand. */
    private static List<NDArray> withGradients(NDManager m, boolean doubles) {
        NDArray a = doubles ? m.create(new double[] {1, 1}) : m.create(new float[] {1, 1});
        NDArray b = doubles ? m.create(new double[] {1}) : m.create(new float[] {1});
        NDArray unused = m.create(new float[] {5});
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (Torch.Tape tape = new Torch.Tape()) {
            NDArray ca = doubles ? m.create(new double[] {3, 4}) : m.create(new float[] {3, 4});
            NDArray cb = doubles ? m.create(new double[] {12}) : m.create(new float[] {12});
            tape.backward(a.mul(ca).sum().add(b.mul(cb).sum()));
        }
        return List.of(a, b, unused);
    }

    private static double[] grad(NDArray p) {
        return p.getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    }

    @Test
    void clipsToTheGlobalNorm() {
        for (boolean doubles : new boolean[] {false, true}) {
            try (NDManager m = Torch.newManager()) {
                List<NDArray> p = withGradients(m, doubles);
                assertEquals(13.0, GradientClipping.globalNorm(p), 1e-6);
                assertEquals(13.0, GradientClipping.clip(p, 20.0), 1e-6);
                assertArrayEquals(new double[] {3, 4}, grad(p.get(0)), 1e-6, "below the threshold nothing changes");
                assertEquals(13.0, GradientClipping.clip(p, 6.5), 1e-6);
                double f = 6.5 / (13 + 1e-6);
                assertArrayEquals(new double[] {3 * f, 4 * f}, grad(p.get(0)), 1e-6);
                assertArrayEquals(new double[] {12 * f}, grad(p.get(1)), 1e-6);
                assertEquals(6.5, GradientClipping.globalNorm(p), 1e-5, "the stored gradients were scaled in place");
            }
        }
    }

    @Test
    void warmupThenCosine() {
        WarmupCosine s = new WarmupCosine(1e-3, 10, 110, 1e-4);
        assertEquals(1e-4, s.at(0), 1e-15);
        assertEquals(5e-4, s.at(4), 1e-15);
        assertEquals(1e-3, s.at(9), 1e-15);
        assertEquals(1e-3, s.at(10), 1e-15);
        assertEquals(1e-4 + 0.9e-3 * 0.5, s.at(60), 1e-15);
        assertEquals(1e-4 + 0.9e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.at(35), 1e-15);
        assertEquals(1e-4, s.at(110), 1e-15);
        assertEquals(1e-4, s.at(1000), 1e-15);
        assertEquals(2e-3, new WarmupCosine(2e-3, 0, 100, 0).at(0), 1e-15, "no warm-up starts at the peak");
        assertEquals(2e-3, new WarmupCosine(2e-3, 0, 0, 2e-3).at(7), 1e-15, "floor = peak is a constant rate");
        assertEquals("warmupSteps", assertThrows(ConfigException.class, () -> new WarmupCosine(1, -1, 5, 0)).field());
        assertEquals("floor", assertThrows(ConfigException.class, () -> new WarmupCosine(1, 1, 5, 2)).field());
    }
}
