package dev.fulcrum.lm.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PPO's losses: float64 finite-difference gradient checks (clipped surrogate, clipped value loss, KL-penalty shaping) and
 * cases worked by hand (the clipping of both losses, the shaping, GAE on three tokens, whitening, reward moments).
 */
class PpoLossesTest {
    private static NDArray t(NDManager m, double[] v, long rows, long cols) {
        return m.create(v, new Shape(rows, cols));
    }

    @Test
    void clippedSurrogateByHand() {
        // ratios 1.5, 0.5, 1.1 with advantages 1, -1, 2 and eps 0.2:
        // min(1.5, 1.2) = 1.2 (clipped), min(-0.5, -0.8) = -0.8 (clipped), min(2.2, 2.2) = 2.2 (inside): loss -(2.6 / 3)
        try (NDManager m = Torch.newManager()) {
            NDArray old = t(m, new double[] {-1, -2, -3, 0}, 1, 4);
            NDArray logp = t(m, new double[] {-1 + Math.log(1.5), -2 + Math.log(0.5), -3 + Math.log(1.1), 5}, 1, 4);
            NDArray adv = t(m, new double[] {1, -1, 2, 7}, 1, 4);
            NDArray mask = t(m, new double[] {1, 1, 1, 0}, 1, 4); // the fourth token is padding
            logp.setRequiresGradient(true);
            NDArray loss;
            try (Torch.Tape tape = new Torch.Tape()) {
                loss = PpoLosses.clippedSurrogate(logp, old, adv, mask, 0.2);
                tape.backward(loss);
            }
            assertEquals(-2.6 / 3, loss.getDouble(), 1e-12);
            // only the unclipped token passes a gradient: d/dlogp (-(r A)/3) = -r A / 3 = -2.2 / 3
            assertArrayEquals(new double[] {0, 0, -2.2 / 3, 0}, logp.getGradient().toDoubleArray(), 1e-12);
            assertEquals(2.0 / 3, PpoLosses.policyClipFraction(logp, old, mask, 0.2), 1e-12);
        }
    }

    @Test
    void valueLossClipsByHand() {
        // token 0: V 1, V_old 0.5, R 2: unclipped (1-2)^2 = 1, clipped V 0.7: 1.69 -> 1.69 (no gradient: V moved past eps)
        // token 1: V 0.6, V_old 0.1, R 0: unclipped 0.36, clipped V 0.3: 0.09 -> 0.36; loss 0.5 * (1.69 + 0.36) / 2
        try (NDManager m = Torch.newManager()) {
            NDArray v = t(m, new double[] {1, 0.6}, 1, 2);
            NDArray old = t(m, new double[] {0.5, 0.1}, 1, 2);
            NDArray ret = t(m, new double[] {2, 0}, 1, 2);
            NDArray mask = t(m, new double[] {1, 1}, 1, 2);
            v.setRequiresGradient(true);
            NDArray loss;
            try (Torch.Tape tape = new Torch.Tape()) {
                loss = PpoLosses.valueLoss(v, old, ret, mask, true, 0.2);
                tape.backward(loss);
            }
            assertEquals(0.5 * (1.69 + 0.36) / 2, loss.getDouble(), 1e-12);
            assertArrayEquals(new double[] {0, 0.5 * 2 * 0.6 / 2}, v.getGradient().toDoubleArray(), 1e-12);
            assertEquals(0.5 * (1 + 0.36) / 2, PpoLosses.valueLoss(v, old, ret, mask, false, 0.2).getDouble(), 1e-12);
            assertEquals(1.0, PpoLosses.valueClipFraction(v, old, mask, 0.2), 1e-12);
        }
    }

    @Test
    void shapedRewardsByHand() {
        // eta 0.1: r_t = -0.1 (logp - ref) + [t last] s: -0.1 * 0.5, -0.1 * (-1), 0 + 2
        try (NDManager m = Torch.newManager()) {
            NDArray logp = t(m, new double[] {-1, -2, -0.5, 0, -3, -1, 0, 0}, 2, 4);
            NDArray ref = t(m, new double[] {-1.5, -1, -0.5, 0, -1, -1, 0, 0}, 2, 4);
            NDArray mask = t(m, new double[] {1, 1, 1, 0, 1, 1, 0, 0}, 2, 4);
            NDArray last = t(m, new double[] {0, 0, 1, 0, 0, 1, 0, 0}, 2, 4);
            NDArray scores = m.create(new double[] {2, -1});
            assertArrayEquals(new double[] {-0.05, 0.1, 2, 0, 0.2, -1, 0, 0},
                    PpoLosses.shapedRewards(logp, ref, mask, last, scores, 0.1).toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {0, 0, 2, 0, 0, -1, 0, 0},
                    PpoLosses.shapedRewards(logp, ref, mask, last, scores, 0).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void gaeOnThreeTokensByHand() {
        // gamma 1, lambda 0.9, V = 0.5, 1.0, 1.5 and V = 0 after the last token:
        // delta_2 = 2 - 1.5 = 0.5                A_2 = 0.5
        // delta_1 = 0.1 + 1.5 - 1.0 = 0.6        A_1 = 0.6 + 0.9 * 0.5 = 1.05
        // delta_0 = -0.05 + 1.0 - 0.5 = 0.45     A_0 = 0.45 + 0.9 * 1.05 = 1.395
        Advantages.Estimate e = Advantages.gae(new double[][] {{-0.05, 0.1, 2.0}, {1.0, 9}}, new double[][] {{0.5, 1.0, 1.5}, {0.25, 9}},
                new int[] {3, 1}, 1.0, 0.9);
        assertArrayEquals(new double[] {1.395, 1.05, 0.5}, e.advantages()[0], 1e-12);
        assertArrayEquals(new double[] {1.895, 2.05, 2.0}, e.returns()[0], 1e-12);
        assertArrayEquals(new double[] {0.75, 0}, e.advantages()[1], 1e-12, "a one-token row; padding ignored");
        // gamma 0.5, lambda 1: A_0 = r_0 + 0.5 r_1 + 0.25 r_2 - V_0 = -0.05 + 0.05 + 0.5 - 0.5 = 0 (Monte Carlo minus V)
        Advantages.Estimate mc = Advantages.gae(new double[][] {{-0.05, 0.1, 2.0}}, new double[][] {{0.5, 1.0, 1.5}}, new int[] {3},
                0.5, 1.0);
        assertEquals(0.0, mc.advantages()[0][0], 1e-12);
    }

    @Test
    void whiteningByHand() {
        // 1, 2, 3, 5: mean 2.75, unbiased variance 8.75 / 3
        double[][] w = Advantages.whiten(new double[][] {{1, 2, 3}, {5, 100}}, new int[] {3, 1});
        double s = Math.sqrt(8.75 / 3 + 1e-8);
        assertArrayEquals(new double[] {-1.75 / s, -0.75 / s, 0.25 / s}, w[0], 1e-12);
        assertArrayEquals(new double[] {2.25 / s, 0}, w[1], 1e-12, "padding stays 0 and is not counted");
        assertThrows(IllegalArgumentException.class, () -> Advantages.whiten(new double[][] {{1}}, new int[] {1}));
    }

    @Test
    void runningMomentsMatchTheWholeSample() {
        RunningMoments rm = new RunningMoments();
        rm.update(new double[] {1, 2});
        rm.update(new double[] {3, 5, 9});
        assertEquals(4.0, rm.mean(), 1e-12);
        assertEquals(Math.sqrt((9 + 4 + 1 + 1 + 25) / 5.0), rm.std(), 1e-12);
        assertArrayEquals(new double[] {0, 1, -1}, rm.normalise(new double[] {4, 4 + 100, 4 - 1e-9 - 100}, 1), 1e-9,
                "normalised then clipped at +-1");
        Map<String, String> meta = new java.util.HashMap<>();
        rm.save(meta, "r");
        RunningMoments back = new RunningMoments();
        back.restore(meta, "r");
        assertEquals(rm.mean(), back.mean());
        assertEquals(rm.std(), back.std());
    }

    @Test
    void collapseNeedsLongerLowerPerplexityAndHigherReward() {
        CollapseMonitor c = new CollapseMonitor(4, 0.1, 0.05);
        assertFalse(c.observe(10, 5, 0));
        assertFalse(c.observe(10, 5, 0));
        assertFalse(c.observe(12, 4, 1));
        assertTrue(c.observe(12, 4, 1), "older half (10, 5, 0) -> newer (12, 4, 1)");
        CollapseMonitor quiet = new CollapseMonitor(4, 0.1, 0.05);
        for (double[] r : new double[][] {{10, 5, 0}, {10, 5, 0}, {12, 5, 1}, {12, 5, 1}}) {
            assertFalse(quiet.observe(r[0], r[1], r[2]), "perplexity did not fall");
        }
    }

    @Test
    void entropyOfUniformAndPeakedLogits() {
        try (NDManager m = Torch.newManager()) {
            double[] e = PpoLosses.entropy(m.create(new double[] {0, 0, 0, 0, 0, -1e9, -1e9, -1e9}, new Shape(1, 2, 4)))
                    .toDoubleArray();
            assertEquals(Math.log(4), e[0], 1e-12);
            assertEquals(0, e[1], 1e-12);
        }
    }

    @Test
    void finiteDifferenceGradients() {
        try (NDManager m = Torch.newManager()) {
            // ratios spread around the clip range, none on a kink; both advantage signs
            NDArray logp = t(m, new double[] {-1.1, -0.4, -2.3, -0.9, -1.5, -0.2}, 2, 3);
            NDArray old = t(m, new double[] {-1.0, -0.7, -2.0, -1.2, -1.1, -0.2}, 2, 3);
            NDArray adv = t(m, new double[] {0.7, -1.3, 0.4, 1.1, -0.6, 2.0}, 2, 3);
            NDArray mask = t(m, new double[] {1, 1, 1, 1, 1, 0}, 2, 3);
            GradCheck.Result surrogate = GradCheck.check(Map.of("logp", logp),
                    () -> PpoLosses.clippedSurrogate(logp, old, adv, mask, 0.2), 1e-6, 100);
            assertTrue(surrogate.maxRelativeError() < 1e-6, "clipped surrogate: " + surrogate);

            NDArray v = t(m, new double[] {0.3, 1.4, -0.2, 0.9, 0.05, 2.0}, 2, 3);
            NDArray vOld = t(m, new double[] {0.2, 1.0, 0.1, 0.2, 0.0, 0.0}, 2, 3);
            NDArray ret = t(m, new double[] {1.0, 0.5, -0.1, 2.0, -0.3, 1.0}, 2, 3);
            for (boolean clip : new boolean[] {true, false}) {
                GradCheck.Result value = GradCheck.check(Map.of("v", v), () -> PpoLosses.valueLoss(v, vOld, ret, mask, clip, 0.2),
                        1e-6, 100);
                assertTrue(value.maxRelativeError() < 1e-6, "value loss (clip " + clip + "): " + value);
            }

            NDArray ref = t(m, new double[] {-0.8, -0.9, -2.1, -1.0, -1.3, -0.4}, 2, 3);
            NDArray last = t(m, new double[] {0, 0, 1, 0, 1, 0}, 2, 3);
            NDArray scores = m.create(new double[] {1.5, -0.5});
            NDArray weights = t(m, new double[] {0.3, -1.2, 0.8, 1.7, -0.4, 0.9}, 2, 3); // a generic linear read-out
            GradCheck.Result shaping = GradCheck.check(Map.of("logp", logp, "ref", ref, "scores", scores),
                    () -> PpoLosses.shapedRewards(logp, ref, mask, last, scores, 0.05).mul(weights).sum(), 1e-6, 100);
            assertTrue(shaping.maxRelativeError() < 1e-6, "KL shaping: " + shaping);
        }
    }
}
