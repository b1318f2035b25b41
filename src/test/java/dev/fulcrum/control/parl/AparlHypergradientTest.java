package dev.fulcrum.control.parl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The A-PARL hypergradient against the finite-difference derivative of the whole procedure on a tiny grid where every
 * expectation is exact: {@code G(nu)} = the expected preference log-likelihood of pairs drawn from the policy reached by
 * {@code K} exact policy-gradient steps on {@code r_nu} from a fixed start.
 */
class AparlHypergradientTest {
    static final double ENTROPY = 0.3;
    /** 2x2 grid: start (0,0), goal (1,1), hazard (1,0); no slip, horizon 3: 64 trajectories, 8192 weighted comparisons. */
    static GridHazard tinyGrid() {
        return new GridHazard("tiny", 2, 2, 0, 3, Set.of(1), 0.0, 3, 3.0);
    }

    private record Setup(GridHazard grid, TabularSoftmaxPolicy policy, LinearRewardModel reward, TrajectorySource source,
                         double[] theta0, double[] nu0) {
    }

    private static Setup setup(NDManager m) {
        GridHazard grid = tinyGrid();
        Rng rng = new Rng(7);
        TabularSoftmaxPolicy policy = new TabularSoftmaxPolicy(grid.states(), GridHazard.ACTIONS);
        double[] theta0 = new double[policy.parameterCount()];
        for (int i = 0; i < theta0.length; i++) {
            theta0[i] = 0.8 * rng.gaussian();
        }
        policy.setParameters(theta0);
        double[] nu0 = {0.3, -0.5, 0.2, 0.9};
        LinearRewardModel reward = new LinearRewardModel(m, nu0);
        PreferenceOracle oracle = new PreferenceOracle(grid::utility, 1.0, new Rng(1));
        return new Setup(grid, policy, reward, new TrajectorySource.ExactTabular(grid, oracle), theta0, nu0);
    }

    /** G(nu): reset theta to theta0, K exact inner steps on nu, exact expected log-likelihood of the oracle's labels. */
    private static double upperObjective(Setup s, double[] nu, int k, double beta) {
        s.policy().setParameters(s.theta0());
        s.reward().setWeights(nu);
        PolicyGradient.innerLoop(s.policy(), s.source(), nu, ENTROPY, k, 1, beta);
        return s.reward().fit(s.source().comparisons(s.policy(), 1)).logLikelihood();
    }

    private static double[] estimator(Setup s, int k, double beta, boolean curvature) {
        s.policy().setParameters(s.theta0());
        s.reward().setWeights(s.nu0());
        Aparl aparl = new Aparl(s.policy(), s.reward(), s.source(), new Aparl.Settings(k, 1, beta, ENTROPY, 1, true, curvature),
                new Adam(null, s.reward().parameters(), 1e-2));
        List<PolicyGradient.InnerStep> steps = PolicyGradient.innerLoop(s.policy(), s.source(), s.nu0(), ENTROPY, k, 1, beta);
        Comparisons c = s.source().comparisons(s.policy(), 1);
        return aparl.hypergradient(steps, c, s.nu0()).total();
    }

    private static double[] finiteDifference(Setup s, int k, double beta) {
        double h = 1e-5;
        double[] fd = new double[s.nu0().length];
        for (int j = 0; j < fd.length; j++) {
            double[] plus = s.nu0().clone(), minus = s.nu0().clone();
            plus[j] += h;
            minus[j] -= h;
            fd[j] = (upperObjective(s, plus, k, beta) - upperObjective(s, minus, k, beta)) / (2 * h);
        }
        return fd;
    }

    private static double maxRelativeError(double[] a, double[] b) {
        double scale = 0, worst = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
        }
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1e-3 * scale, Math.abs(a[i]) + Math.abs(b[i])));
        }
        return worst;
    }

    @Test
    void matchesFiniteDifferencesOfTheWholeInnerLoop() {
        try (NDManager m = Torch.newManager()) {
            Setup s = setup(m);
            int k = 3;
            double beta = 0.7;
            double[] est = estimator(s, k, beta, true);
            double[] fd = finiteDifference(s, k, beta);
            System.out.println("estimator " + java.util.Arrays.toString(est) + "\nfinite difference " + java.util.Arrays.toString(fd));
            assertTrue(maxRelativeError(est, fd) < 1e-6, "relative error " + maxRelativeError(est, fd));
        }
    }

    @Test
    void firstOrderJacobianIsExactForOneInnerStep() {
        try (NDManager m = Torch.newManager()) {
            Setup s = setup(m);
            double[] est = estimator(s, 1, 0.7, false);
            double[] fd = finiteDifference(s, 1, 0.7);
            assertTrue(maxRelativeError(est, fd) < 1e-6, "relative error " + maxRelativeError(est, fd));
        }
    }

    @Test
    void curvatureMattersForSeveralInnerSteps() {
        try (NDManager m = Torch.newManager()) {
            Setup s = setup(m);
            double[] firstOrder = estimator(s, 3, 0.7, false);
            double[] fd = finiteDifference(s, 3, 0.7);
            assertTrue(maxRelativeError(firstOrder, fd) > 1e-3, "dropping the inner Hessian should be visibly inexact: "
                    + maxRelativeError(firstOrder, fd));
        }
    }

    @Test
    void distributionTermIsNotNegligibleHere() {
        try (NDManager m = Torch.newManager()) {
            Setup s = setup(m);
            s.policy().setParameters(s.theta0());
            Aparl aparl = new Aparl(s.policy(), s.reward(), s.source(), new Aparl.Settings(3, 1, 0.7, ENTROPY, 1, true, true),
                    new Adam(m, s.reward().parameters(), 1e-2));
            List<PolicyGradient.InnerStep> steps = PolicyGradient.innerLoop(s.policy(), s.source(), s.nu0(), ENTROPY, 3, 1, 0.7);
            Aparl.Hypergradient h = aparl.hypergradient(steps, s.source().comparisons(s.policy(), 1), s.nu0());
            double t1 = Aparl.norm(h.likelihoodTerm()), t2 = Aparl.norm(h.distributionTerm());
            assertTrue(t2 > 0.05 * t1, "term 2 (" + t2 + ") vs term 1 (" + t1 + ")");
        }
    }
}
