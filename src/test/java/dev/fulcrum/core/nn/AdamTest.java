package dev.fulcrum.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamTest {

    /** Three Adam steps on L = sum(c * w^2) against the same update written out in plain Java doubles. */
    @Test
    void updateMatchesTorchFormulaInPlainJava() {
        double[] w0 = {0.5, -1.5, 2.0, 1e-3};
        double[] c = {1.0, 0.3, -2.0, 4.0};
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        try (NDManager m = Torch.newManager()) {
            NDArray w = m.create(w0);
            w.setRequiresGradient(true);
            NDArray cc = m.create(c);
            Adam adam = new Adam(m, Map.of("w", w), lr, b1, b2, eps);

            double[] ref = w0.clone(), mom = new double[4], var = new double[4];
            for (int t = 1; t <= 3; t++) {
                adam.zeroGradients();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = w.square().mul(cc).sum();
                    gc.backward(loss);
                }
                adam.step();
                double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
                for (int i = 0; i < 4; i++) {
                    double g = 2 * c[i] * ref[i];
                    mom[i] = b1 * mom[i] + (1 - b1) * g;
                    var[i] = b2 * var[i] + (1 - b2) * g * g;
                    // torch.optim.Adam: w -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
                    ref[i] -= lr / bc1 * mom[i] / (Math.sqrt(var[i]) / Math.sqrt(bc2) + eps);
                }
            }
            assertArrayEquals(ref, w.toDoubleArray(), 1e-12);
            assertEquals(3, adam.steps());
        }
    }

    @Test
    void zeroGradientsClearsAccumulation() {
        try (NDManager m = Torch.newManager()) {
            NDArray w = m.create(new double[] {1.0});
            w.setRequiresGradient(true);
            for (int i = 0; i < 3; i++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.mul(2).sum());
                }
            }
            assertEquals(6.0, w.getGradient().toDoubleArray()[0], 1e-12, "gradients accumulate across collectors");
            Torch.zeroGradient(w);
            assertEquals(0.0, w.getGradient().toDoubleArray()[0], 0.0);
        }
    }
}
