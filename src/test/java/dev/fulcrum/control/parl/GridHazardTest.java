package dev.fulcrum.control.parl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/** The gridworld family: the misalignment it is built around, and its exact evaluation against sampling. */
class GridHazardTest {

    @Test
    void naiveOptimumWalksThroughTheHazardAndScoresBelowRandom() {
        for (int n : new int[] {5, 7}) {
            GridHazard grid = GridHazard.standard(n);
            PreferenceTask.UtilityScale scale = grid.scale();
            double naive = grid.naiveOptimumUtility();
            System.out.printf("%s: random %.3f, optimum %.3f, naive optimum %.3f (normalised %.3f)%n", grid.id(), scale.random(),
                    scale.optimal(), naive, scale.normalise(naive));
            assertTrue(scale.normalise(naive) < 0, grid.id() + ": the naive reward's optimum should score below random, got "
                    + scale.normalise(naive));
            // and the naive reward itself prefers its own optimum to the aligned one: misaligned, not merely weak
            int[][] aligned = grid.plan(grid.trueWeights()).actions();
            int[][] naivePlan = grid.plan(grid.naiveWeights()).actions();
            assertTrue(grid.evaluatePlan(naivePlan, grid.naiveWeights()) > grid.evaluatePlan(aligned, grid.naiveWeights()) + 1);
        }
    }

    @Test
    void dynamicProgrammingEnumerationAndSamplingAgree() {
        GridHazard grid = new GridHazard("tiny-slip", 2, 2, 0, 3, java.util.Set.of(1), 0.2, 3, 3.0);
        TabularSoftmaxPolicy policy = new TabularSoftmaxPolicy(grid.states(), GridHazard.ACTIONS);
        Rng r = new Rng(2);
        double[] theta = new double[policy.parameterCount()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = r.gaussian();
        }
        policy.setParameters(theta);
        Rollouts all = grid.enumerate(policy);
        double total = 0, expected = 0;
        for (int n = 0; n < all.size(); n++) {
            total += all.weights()[n];
            expected += all.weights()[n] * grid.utility(all.trajectories().get(n));
        }
        assertEquals(1.0, total, 1e-12);
        assertEquals(grid.expectedUtility(policy), expected, 1e-12);
        int samples = 20_000;
        double mean = 0, sq = 0;
        Rng rng = new Rng(3);
        for (int i = 0; i < samples; i++) {
            double u = grid.utility(grid.rollout(policy, rng));
            mean += u / samples;
            sq += u * u / samples;
        }
        double se = Math.sqrt((sq - mean * mean) / samples);
        assertEquals(expected, mean, 4 * se);
    }

    @Test
    void rejectsBadGrids() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> GridHazard.standard(6));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new GridHazard("bad", 2, 2, 0, 0, java.util.Set.of(), 0.1, 3, 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new GridHazard("bad", 2, 2, 0, 3, java.util.Set.of(3), 0.1, 3, 1));
    }
}
