package dev.fulcrum.lm.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Bradley-Terry loss by hand (value and analytic gradient) and by finite differences. */
class BradleyTerryTest {

    @Test
    void handComputed() {
        try (NDManager m = Torch.newManager()) {
            NDArray rw = m.create(new double[] {2.0, -1.0});
            NDArray rl = m.create(new double[] {1.0, 0.5});
            rw.setRequiresGradient(true);
            rl.setRequiresGradient(true);
            NDArray loss;
            try (Torch.Tape tape = new Torch.Tape()) {
                loss = BradleyTerry.loss(rw, rl, 0.01).mean();
                tape.backward(loss);
            }
            // pair 1: d = 1, log(1 + e^-1) + 0.01 * 9; pair 2: d = -1.5, log(1 + e^1.5) + 0.01 * 0.25
            double l1 = Math.log(1 + Math.exp(-1)) + 0.09;
            double l2 = Math.log(1 + Math.exp(1.5)) + 0.0025;
            assertEquals((l1 + l2) / 2, loss.getDouble(), 1e-14);
            // dL/dr_w = (-sigma(-d) + 2c (r_w + r_l)) / B
            double[] g = rw.getGradient().toDoubleArray();
            assertEquals((-1 / (1 + Math.exp(1)) + 0.02 * 3) / 2, g[0], 1e-14);
            assertEquals((-1 / (1 + Math.exp(-1.5)) + 0.02 * -0.5) / 2, g[1], 1e-14);
            Map<String, Double> metrics = BradleyTerry.metrics(rw, rl);
            assertEquals(0.5, metrics.get("accuracy"), 1e-15);
            assertEquals(-0.25, metrics.get("margin"), 1e-15);
        }
    }

    @Test
    void finiteDifferenceGradient() {
        try (NDManager m = Torch.newManager()) {
            NDArray rw = m.create(new double[] {0.3, -2.0, 4.0, 0.0});
            NDArray rl = m.create(new double[] {-0.7, 1.0, 3.5, 0.1});
            GradCheck.Result r = GradCheck.check(Map.of("rw", rw, "rl", rl), () -> BradleyTerry.loss(rw, rl, 0.01).mean(), 1e-6, 10);
            assertTrue(r.maxRelativeError() < 1e-7, r.toString());
        }
    }
}
