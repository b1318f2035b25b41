package dev.fulcrum.control.parl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The preference likelihood of the linear reward model: by hand, by finite differences, and as a fitting objective. */
class LinearRewardModelTest {
    static Trajectory twoSteps(double[] phi0, double[] phi1) {
        return new Trajectory(new float[][] {{0}, {0}}, new float[][] {{0}, {0}}, new double[][] {phi0, phi1});
    }

    private static Comparisons handCase() {
        Trajectory a = twoSteps(new double[] {1, 0}, new double[] {0, 1}); // Phi = (1, 1)
        Trajectory b = twoSteps(new double[] {2, 0}, new double[] {0, 0}); // Phi = (2, 0)
        Trajectory c = twoSteps(new double[] {0, 0}, new double[] {0, -1}); // Phi = (0, -1)
        return new Comparisons(List.of(a, c), List.of(b, a), new double[] {0.25, 0.75});
    }

    @Test
    void likelihoodAndGradientByHand() {
        try (NDManager m = Torch.newManager()) {
            LinearRewardModel model = new LinearRewardModel(m, new double[] {0.5, -1.0});
            LinearRewardModel.Fit fit = model.fit(handCase());
            // e1: R(a) = -0.5, R(b) = 1 -> delta -1.5; e2: R(c) = 1, R(a) = -0.5 -> delta 1.5
            double u1 = -Math.log1p(Math.exp(1.5)), u2 = -Math.log1p(Math.exp(-1.5));
            assertEquals(u1, fit.perComparison()[0], 1e-14);
            assertEquals(u2, fit.perComparison()[1], 1e-14);
            assertEquals(0.25 * u1 + 0.75 * u2, fit.logLikelihood(), 1e-14);
            // grad = sum_e w_e sigma(-delta_e) (Phi_w - Phi_l): e1 (Phi_a - Phi_b) = (-1, 1); e2 (Phi_c - Phi_a) = (-1, -2)
            double s1 = 1 / (1 + Math.exp(-1.5)), s2 = 1 / (1 + Math.exp(1.5));
            assertEquals(0.25 * s1 * -1 + 0.75 * s2 * -1, fit.gradient()[0], 1e-14);
            assertEquals(0.25 * s1 * 1 + 0.75 * s2 * -2, fit.gradient()[1], 1e-14);
            assertEquals(0.75, fit.accuracy(), 1e-15);
        }
    }

    @Test
    void finiteDifferenceGradient() {
        try (NDManager m = Torch.newManager()) {
            LinearRewardModel model = new LinearRewardModel(m, new double[] {0.3, 0.7});
            Comparisons c = handCase();
            GradCheck.Result r = GradCheck.check(model.parameters(), () -> model.weightedNegativeLogLikelihood(m, c), 1e-6, 10);
            assertTrue(r.maxRelativeError() < 1e-7, r.toString());
        }
    }

    @Test
    void fittingRecoversTheOraclesPreferences() {
        try (NDManager m = Torch.newManager()) {
            GridHazard grid = GridHazard.standard(5);
            PreferenceOracle oracle = new PreferenceOracle(grid::utility, 1.0, new Rng(5));
            TrajectorySource.Sampled source = new TrajectorySource.Sampled(grid, oracle, new Rng(6));
            Comparisons data = source.comparisons(grid.newPolicy(m, new Rng(0)), 200);
            LinearRewardModel model = new LinearRewardModel(m, new double[grid.featureCount()]);
            Adam adam = new Adam(m, model.parameters(), 0.05);
            double before = model.fit(data).logLikelihood();
            for (int i = 0; i < 300; i++) {
                model.ascend(data, new double[grid.featureCount()], adam);
            }
            LinearRewardModel.Fit after = model.fit(data);
            assertTrue(after.logLikelihood() > before + 0.3, before + " -> " + after.logLikelihood());
            assertTrue(after.accuracy() > 0.8, "accuracy " + after.accuracy());
            double[] nu = model.weights();
            for (int h : grid.hazards()) {
                assertTrue(nu[h] < -0.5, "hazard cell " + h + " should be learned as bad: " + nu[h]);
            }
        }
    }
}
