package dev.fulcrum.lm.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** InfoNCE by hand (value and gradient) and by finite differences. */
class InfoNceTest {

    @Test
    void handComputed() {
        try (NDManager m = Torch.newManager()) {
            NDArray s = m.create(new double[] {2, 0, 1, /* */ -1, 3, 0}, new Shape(2, 3));
            s.setRequiresGradient(true);
            NDArray loss;
            try (Torch.Tape tape = new Torch.Tape()) {
                loss = InfoNce.loss(m, s, new int[] {0, 2});
                tape.backward(loss);
            }
            double z1 = Math.exp(2) + 1 + Math.exp(1), z2 = Math.exp(-1) + Math.exp(3) + 1;
            double expected = (-(2 - Math.log(z1)) - (0 - Math.log(z2))) / 2;
            assertEquals(expected, loss.getDouble(), 1e-12);
            // dL/ds_ij = (softmax_ij - 1[j = p(i)]) / B
            double[] g = s.getGradient().toDoubleArray();
            assertEquals((Math.exp(2) / z1 - 1) / 2, g[0], 1e-12);
            assertEquals((1 / z1) / 2, g[1], 1e-12);
            assertEquals((Math.exp(3) / z2) / 2, g[4], 1e-12);
            assertEquals((1 / z2 - 1) / 2, g[5], 1e-12);
        }
    }

    @Test
    void finiteDifferenceGradientThroughCosineScores() {
        try (NDManager m = Torch.newManager()) {
            NDArray q = m.create(new double[] {0.3, -0.2, 0.9, 1.1, 0.4, -0.6}, new Shape(2, 3));
            NDArray d = m.create(new double[] {0.5, 0.1, -0.3, -0.8, 0.2, 0.7, 1.0, -1.0, 0.25, 0.0, 0.6, 0.3}, new Shape(4, 3));
            GradCheck.Result r = GradCheck.check(Map.of("q", q, "d", d), () -> {
                NDArray qn = q.div(q.square().sum(new int[] {1}, true).sqrt());
                NDArray dn = d.div(d.square().sum(new int[] {1}, true).sqrt());
                return InfoNce.loss(m, qn.matMul(dn.transpose()).mul(m.create(20.0)), new int[] {1, 3});
            }, 1e-6, 20);
            assertTrue(r.maxRelativeError() < 1e-6, r.toString());
        }
    }
}
