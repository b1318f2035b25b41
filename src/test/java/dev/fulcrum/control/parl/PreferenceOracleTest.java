package dev.fulcrum.control.parl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/** The simulated judge: Bradley-Terry probabilities by hand, answers at those frequencies, and every query counted. */
class PreferenceOracleTest {
    /** A one-step trajectory whose feature sum is {@code value}; with utility = feature sum, U(tau) = value. */
    static Trajectory withUtility(double value) {
        return new Trajectory(new float[][] {{0}}, new float[][] {{0}}, new double[][] {{value}});
    }

    private static double utility(Trajectory t) {
        return t.featureSum()[0];
    }

    @Test
    void bradleyTerryProbabilitiesByHand() {
        PreferenceOracle oracle = new PreferenceOracle(PreferenceOracleTest::utility, 2.0, new Rng(0));
        Trajectory a = withUtility(3), b = withUtility(1);
        // sigma((3 - 1) / 2) = 1 / (1 + e^-1)
        assertEquals(1 / (1 + Math.exp(-1)), oracle.probabilityFirstPreferred(a, b), 1e-15);
        assertEquals(1 / (1 + Math.exp(1)), oracle.probabilityFirstPreferred(b, a), 1e-15);
        assertEquals(0.5, oracle.probabilityFirstPreferred(a, a), 0);
        // extreme differences stay finite
        assertEquals(1.0, oracle.probabilityFirstPreferred(withUtility(1e4), withUtility(-1e4)), 1e-15);
        assertEquals(0.0, oracle.probabilityFirstPreferred(withUtility(-1e4), withUtility(1e4)), 1e-15);
        assertEquals(0, oracle.queries(), "reading probabilities is not a query");
    }

    @Test
    void answersFollowTheProbabilitiesAndAreCounted() {
        PreferenceOracle oracle = new PreferenceOracle(PreferenceOracleTest::utility, 1.0, new Rng(11));
        Trajectory a = withUtility(0.5), b = withUtility(0);
        int n = 20_000, first = 0;
        for (int i = 0; i < n; i++) {
            first += oracle.prefersFirst(a, b) ? 1 : 0;
        }
        double p = 1 / (1 + Math.exp(-0.5));
        double sd = Math.sqrt(p * (1 - p) / n);
        assertEquals(p, first / (double) n, 4 * sd);
        assertEquals(n, oracle.queries());
    }

    @Test
    void sampledComparisonsCostQueriesAndTransitions() {
        GridHazard grid = GridHazard.standard(5);
        PreferenceOracle oracle = new PreferenceOracle(grid::utility, 1.0, new Rng(1));
        TrajectorySource.Sampled source = new TrajectorySource.Sampled(grid, oracle, new Rng(2));
        StochasticPolicy policy = grid.newPolicy(null, new Rng(3));
        Comparisons c = source.comparisons(policy, 7);
        assertEquals(7, c.size());
        assertEquals(7, oracle.queries());
        assertEquals(14L * grid.horizon(), source.environmentSteps());
        source.rollouts(policy, 3);
        assertEquals(17L * grid.horizon(), source.environmentSteps());
        assertEquals(7, oracle.queries());
    }

    @Test
    void rejectsBadTemperature() {
        assertThrows(IllegalArgumentException.class, () -> new PreferenceOracle(PreferenceOracleTest::utility, 0, new Rng(0)));
        assertThrows(IllegalArgumentException.class,
                () -> new PreferenceOracle(PreferenceOracleTest::utility, Double.NaN, new Rng(0)));
    }
}
