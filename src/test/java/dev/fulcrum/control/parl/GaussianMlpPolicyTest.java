package dev.fulcrum.control.parl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Gaussian MLP policy's flat-parameter view: round trip, and its weighted score against finite differences. */
class GaussianMlpPolicyTest {

    @Test
    void weightedScoreMatchesFiniteDifferencesOfLogProbabilities() {
        try (NDManager m = Torch.newManager()) {
            PointGoalHazard task = new PointGoalHazard(5, new int[] {8});
            GaussianMlpPolicy policy = (GaussianMlpPolicy) task.newPolicy(m, new Rng(3));
            List<Trajectory> batch = task.rollouts(policy, 3, new Rng(4));
            double[] theta = policy.parameters();
            policy.setParameters(theta);
            assertArrayEquals(theta, policy.parameters(), 0.0);
            int steps = StochasticPolicy.steps(batch);
            double[] w = new double[steps];
            Rng r = new Rng(6);
            for (int i = 0; i < steps; i++) {
                w[i] = r.gaussian();
            }
            double[] analytic = policy.weightedScore(batch, w);
            double h = 1e-6, worst = 0, scale = 0;
            for (double a : analytic) {
                scale = Math.max(scale, Math.abs(a));
            }
            for (int p = 0; p < theta.length; p++) {
                double[] plus = theta.clone(), minus = theta.clone();
                plus[p] += h;
                minus[p] -= h;
                policy.setParameters(plus);
                double fp = PolicyGradient.dot(w, policy.logProbabilities(batch));
                policy.setParameters(minus);
                double fm = PolicyGradient.dot(w, policy.logProbabilities(batch));
                double numeric = (fp - fm) / (2 * h);
                worst = Math.max(worst, Math.abs(numeric - analytic[p]) / Math.max(1e-3 * scale, Math.abs(numeric) + Math.abs(analytic[p])));
            }
            policy.setParameters(theta);
            assertTrue(scale > 0, "the score should not vanish");
            assertTrue(worst < 1e-6, "relative error " + worst);
        }
    }
}
