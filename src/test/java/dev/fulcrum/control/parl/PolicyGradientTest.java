package dev.fulcrum.control.parl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/**
 * The lower level's estimators on exact (probability-weighted) enumerations of a tiny grid: the inner gradient against
 * finite differences of the exact entropy-regularised value, the Hessian-vector product against finite differences of
 * that gradient, and the per-feature gradients against the gradient's derivative in {@code nu}.
 */
class PolicyGradientTest {
    static final double ENTROPY = 0.3;

    /** Exact V(nu, theta) = sum_tau p(tau) sum_t (nu . phi_t - lambda log pi(a_t|s_t)). */
    static double value(GridHazard grid, TabularSoftmaxPolicy policy, double[] nu, double entropy) {
        Rollouts all = grid.enumerate(policy);
        double[] lp = policy.logProbabilities(all.trajectories());
        double v = 0;
        int i = 0;
        for (int n = 0; n < all.size(); n++) {
            Trajectory t = all.trajectories().get(n);
            for (int k = 0; k < t.length(); k++) {
                v += all.weights()[n] * (PolicyGradient.dot(nu, t.features()[k]) - entropy * lp[i++]);
            }
        }
        return v;
    }

    static double[] exactGradient(GridHazard grid, TabularSoftmaxPolicy policy, double[] nu) {
        double[] theta = policy.parameters();
        PolicyGradient.InnerStep step = PolicyGradient.step(policy, grid.enumerate(policy), nu, ENTROPY, 1.0);
        policy.setParameters(theta);
        return step.gradient();
    }

    private static TabularSoftmaxPolicy randomPolicy(GridHazard grid, long seed) {
        TabularSoftmaxPolicy policy = new TabularSoftmaxPolicy(grid.states(), GridHazard.ACTIONS);
        double[] theta = new double[policy.parameterCount()];
        Rng r = new Rng(seed);
        for (int i = 0; i < theta.length; i++) {
            theta[i] = 0.7 * r.gaussian();
        }
        policy.setParameters(theta);
        return policy;
    }

    private static double relativeError(double[] a, double[] b) {
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
    void innerGradientIsTheExactGradientOfTheRegularisedValue() {
        GridHazard grid = AparlHypergradientTest.tinyGrid();
        TabularSoftmaxPolicy policy = randomPolicy(grid, 3);
        double[] nu = {0.2, -1.0, 0.4, 1.5};
        double[] g = exactGradient(grid, policy, nu);
        double[] theta = policy.parameters(), fd = new double[theta.length];
        double h = 1e-5;
        for (int p = 0; p < theta.length; p++) {
            double[] plus = theta.clone(), minus = theta.clone();
            plus[p] += h;
            minus[p] -= h;
            policy.setParameters(plus);
            double vp = value(grid, policy, nu, ENTROPY);
            policy.setParameters(minus);
            fd[p] = (vp - value(grid, policy, nu, ENTROPY)) / (2 * h);
        }
        assertTrue(relativeError(g, fd) < 1e-7, "relative error " + relativeError(g, fd));
    }

    @Test
    void hessianVectorProductMatchesDifferencesOfTheGradient() {
        GridHazard grid = AparlHypergradientTest.tinyGrid();
        TabularSoftmaxPolicy policy = randomPolicy(grid, 4);
        double[] nu = {0.2, -1.0, 0.4, 1.5};
        double[] theta = policy.parameters();
        PolicyGradient.InnerStep step = PolicyGradient.step(policy, grid.enumerate(policy), nu, ENTROPY, 1.0);
        policy.setParameters(theta);
        double[] v = new double[theta.length];
        Rng r = new Rng(9);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.gaussian();
        }
        double[] hv = PolicyGradient.hessianVectorProduct(policy, step, nu, ENTROPY, v);
        double h = 1e-5;
        double[] plus = theta.clone(), minus = theta.clone();
        PolicyGradient.axpy(h, v, plus);
        PolicyGradient.axpy(-h, v, minus);
        policy.setParameters(plus);
        double[] gp = exactGradient(grid, policy, nu);
        policy.setParameters(minus);
        double[] gm = exactGradient(grid, policy, nu);
        double[] fd = new double[theta.length];
        for (int i = 0; i < fd.length; i++) {
            fd[i] = (gp[i] - gm[i]) / (2 * h);
        }
        assertTrue(relativeError(hv, fd) < 1e-6, "relative error " + relativeError(hv, fd));
    }

    @Test
    void featureGradientsAreTheDerivativeOfTheGradientInNu() {
        GridHazard grid = AparlHypergradientTest.tinyGrid();
        TabularSoftmaxPolicy policy = randomPolicy(grid, 5);
        double[] nu = {0.2, -1.0, 0.4, 1.5};
        double[][] m = PolicyGradient.featureGradients(policy, grid.enumerate(policy));
        for (int j = 0; j < nu.length; j++) {
            double[] plus = nu.clone();
            plus[j] += 1.0; // the gradient is linear in nu: a unit difference is exact
            double[] g1 = exactGradient(grid, policy, plus), g0 = exactGradient(grid, policy, nu);
            double[] diff = new double[g0.length];
            for (int i = 0; i < diff.length; i++) {
                diff[i] = g1[i] - g0[i];
            }
            assertTrue(relativeError(m[j], diff) < 1e-9, "feature " + j + ": relative error " + relativeError(m[j], diff));
        }
    }

    @Test
    void sampledGradientAveragesToTheExactOne() {
        GridHazard grid = AparlHypergradientTest.tinyGrid();
        TabularSoftmaxPolicy policy = randomPolicy(grid, 6);
        double[] nu = {0.2, -1.0, 0.4, 1.5};
        double[] exact = exactGradient(grid, policy, nu);
        double[] theta = policy.parameters(), mean = new double[theta.length];
        Rng rng = new Rng(12);
        int batches = 400;
        for (int b = 0; b < batches; b++) {
            PolicyGradient.InnerStep s = PolicyGradient.step(policy, Rollouts.sampled(grid.rollouts(policy, 64, rng)), nu, ENTROPY, 1.0);
            policy.setParameters(theta);
            PolicyGradient.axpy(1.0 / batches, s.gradient(), mean);
        }
        double err = 0, norm = 0;
        for (int i = 0; i < mean.length; i++) {
            err += (mean[i] - exact[i]) * (mean[i] - exact[i]);
            norm += exact[i] * exact[i];
        }
        // 25,600 trajectories: the mean-baseline bias is O(1/64) and the noise a few per cent of the norm
        assertTrue(Math.sqrt(err / norm) < 0.05, "relative distance " + Math.sqrt(err / norm));
    }
}
