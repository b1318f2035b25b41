package dev.fulcrum.core.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/** Significance tests against values counted by hand. */
class TwoSampleTestsTest {
    private static final double[] HIGH = {10, 11, 12}, LOW = {1, 2, 3};

    @Test
    void exactUDistributionCountsArrangements() {
        // n = 3, m = 2: the 10 arrangements give U = 0..6 with counts 1 1 2 2 2 1 1
        assertArrayEquals(new double[] {1, 1, 2, 2, 2, 1, 1}, TwoSampleTests.exactUDistribution(3, 2), 0);
        double total = 0;
        for (double c : TwoSampleTests.exactUDistribution(6, 5)) {
            total += c;
        }
        assertEquals(462, total, 0, "C(11, 5) arrangements");
    }

    @Test
    void mannWhitneyExact() {
        // complete separation: U = 9 of 9 pairs; P(U >= 9) = 1/C(6,3) = 1/20; two-sided 0.1
        TwoSampleTests.MannWhitney w = TwoSampleTests.mannWhitney(HIGH, LOW);
        assertEquals(9, w.u(), 0);
        assertEquals(0.1, w.pValue(), 1e-12);
        assertTrue(w.exact());
        // a = {1, 2, 4}, b = {3, 5}: only 4 > 3, U = 1; P(U <= 1) = (1 + 1)/10; two-sided 0.4
        w = TwoSampleTests.mannWhitney(new double[] {1, 2, 4}, new double[] {3, 5});
        assertEquals(1, w.u(), 0);
        assertEquals(0.4, w.pValue(), 1e-12);
        // symmetric: swapping the samples gives U' = nm - U and the same p
        TwoSampleTests.MannWhitney swapped = TwoSampleTests.mannWhitney(new double[] {3, 5}, new double[] {1, 2, 4});
        assertEquals(5, swapped.u(), 0);
        assertEquals(0.4, swapped.pValue(), 1e-12);
    }

    @Test
    void mannWhitneyWithTiesUsesTheCorrectedNormalApproximation() {
        // a = {1, 2, 2, 3}, b = {2, 3, 4, 4}: U = 0 + 1/2 + 1/2 + (1 + 1/2) = 2.5; mean nm/2 = 8.
        // tie groups: three 2s, two 3s, two 4s: sum(t^3 - t) = 24 + 6 + 6 = 36;
        // sigma^2 = 16/12 * (9 - 36/56) = 11.142857...; z = (|2.5 - 8| - 1/2)/sigma = 1.4978617; p = erfc(z/sqrt 2)
        TwoSampleTests.MannWhitney w = TwoSampleTests.mannWhitney(new double[] {1, 2, 2, 3}, new double[] {2, 3, 4, 4});
        assertEquals(2.5, w.u(), 0);
        assertFalse(w.exact());
        assertEquals(0.13416918, w.pValue(), 1e-6);
        // every value tied: no evidence
        assertEquals(1, TwoSampleTests.mannWhitney(new double[] {3, 3}, new double[] {3, 3, 3}).pValue(), 0);
    }

    @Test
    void permutationExact() {
        // 20 relabellings of {1,2,3,10,11,12}; only the observed split and its mirror reach |difference| = 9
        TwoSampleTests.Permutation p = TwoSampleTests.permutation(HIGH, LOW, new Rng(0));
        assertEquals(9, p.difference(), 1e-12);
        assertEquals(0.1, p.pValue(), 1e-12);
        assertTrue(p.exact());
        assertEquals(20, p.permutations());
        // a = {1, 2, 4}, b = {3, 5}: difference = (5s - 45)/6 for a subset sum s of a; observed s = 7 (-5/3).
        // The 10 subset sums are 6 7 8 8 9 9 10 10 11 12; |5s - 45| >= 10 for s = 6, 7, 11, 12: p = 4/10
        p = TwoSampleTests.permutation(new double[] {1, 2, 4}, new double[] {3, 5}, new Rng(0));
        assertEquals(-5.0 / 3, p.difference(), 1e-12);
        assertEquals(0.4, p.pValue(), 1e-12);
    }

    @Test
    void permutationMonteCarloAgreesWithExact() {
        double[] a = {3.1, 4.7, 5.0, 6.2, 2.2, 4.4}, b = {1.0, 2.5, 3.3, 0.7, 2.9, 1.8};
        TwoSampleTests.Permutation exact = TwoSampleTests.permutation(a, b, new Rng(0));
        TwoSampleTests.Permutation sampled = TwoSampleTests.permutation(a, b, 10, 40_000, new Rng(5));
        assertTrue(exact.exact());
        assertEquals(924, exact.permutations(), "C(12, 6)");
        assertFalse(sampled.exact());
        assertEquals(exact.pValue(), sampled.pValue(), 0.006, "Monte Carlo within ~4 standard errors of the exact p");
    }

    @Test
    void welchDelegatesAndGuardsDegenerateSamples() {
        TwoSampleTests.Welch w = TwoSampleTests.welch(HIGH, LOW);
        assertEquals(9 / Math.sqrt(2.0 / 3), w.t(), 1e-9);
        assertEquals(4, w.df(), 1e-9);
        assertEquals(Stats.welch(HIGH, LOW)[2], w.pValue(), 0);
        assertTrue(Double.isNaN(TwoSampleTests.welch(new double[] {1, 1}, new double[] {2, 2}).pValue()));
        String msg = assertThrows(IllegalArgumentException.class, () -> TwoSampleTests.welch(new double[] {1}, LOW)).getMessage();
        assertEquals("sample a needs at least 2 values, got 1", msg);
    }

    /** With ties the normal approximation with tie and continuity corrections applies. */
    @Test
    void mannWhitneyWithTiesMatchesHandComputation() {
        // ranks of a in {1,2,3,3,4,5,6,7,8,9,10}: 1, 2, 3.5, 5, 6 -> R = 17.5, U = 2.5; mu = 15;
        // var = 5*6/12 * (12 - (2^3-2)/(11*10)) = 29.8636..., z = (|2.5 - 15| - 0.5)/sqrt(var) = 2.19589, p = 2(1 - Phi(z))
        TwoSampleTests.MannWhitney r = TwoSampleTests.mannWhitney(new double[] {1, 2, 3, 4, 5}, new double[] {3, 6, 7, 8, 9, 10});
        assertEquals(2.5, r.u(), 1e-12);
        assertEquals(0.0281000636, r.pValue(), 1e-6);
        assertFalse(r.exact());
        // identical samples: no evidence
        assertEquals(1.0, TwoSampleTests.mannWhitney(new double[] {1, 2, 3}, new double[] {1, 2, 3}).pValue(), 1e-6);
    }

    /** scipy.stats.ttest_rel([1, 2, 3, 4], [0.5, 2.5, 2, 3]): t = 1.414213562373095, p = 0.25221549635550466, df = 3. */
    @Test
    void pairedTMatchesScipy() {
        TwoSampleTests.Paired p = TwoSampleTests.pairedT(new double[] {1, 2, 3, 4}, new double[] {0.5, 2.5, 2, 3});
        org.junit.jupiter.api.Assertions.assertEquals(0.5, p.meanDifference(), 1e-15);
        org.junit.jupiter.api.Assertions.assertEquals(1.414213562373095, p.t(), 1e-12);
        org.junit.jupiter.api.Assertions.assertEquals(3, p.df(), 0);
        org.junit.jupiter.api.Assertions.assertEquals(0.25221549635550466, p.pValue(), 1e-6);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TwoSampleTests.pairedT(new double[] {1, 2}, new double[] {1, 2, 3}));
    }
}
