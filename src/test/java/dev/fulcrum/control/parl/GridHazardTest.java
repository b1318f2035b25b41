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
}
