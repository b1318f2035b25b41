package dev.fulcrum.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/** Reference values from standard tables (Student t quantiles) and hand computation. */
class StatsTest {
    @Test
    void studentQuantiles() {
        assertEquals(12.706, Stats.tQuantile975(1), 1e-3);
        assertEquals(4.303, Stats.tQuantile975(2), 1e-3);
        assertEquals(2.776, Stats.tQuantile975(4), 1e-3);
        assertEquals(2.045, Stats.tQuantile975(29), 1e-3);
    }

    @Test
    void meanStdCi() {
        double[] x = {1, 2, 3, 4};
        assertEquals(2.5, Stats.mean(x), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3), Stats.std(x), 1e-12);
        assertEquals(3.182446 * Math.sqrt(5.0 / 3) / 2, Stats.ci95HalfWidth(x), 1e-5);
    }

    @Test
    void iqmTrimsQuartiles() {
        assertEquals(2.5, Stats.iqm(new double[] {1, 2, 3, 4}), 1e-12);
        assertEquals(4.5, Stats.iqm(new double[] {-100, 3, 4, 5, 6, 100, 4.5, 4.5}), 1e-12);
    }

    @Test
    void welchMatchesHandComputation() {
        double[] a = {10, 11, 12}, b = {1, 2, 3};
        double[] w = Stats.welch(a, b);
        assertEquals(9 / Math.sqrt(2.0 / 3), w[0], 1e-9);
        assertEquals(4, w[1], 1e-9);
        // two-sided p for t = 11.0227 with 4 df
        assertEquals(2 * (1 - Stats.studentCdf(w[0], 4)), w[2], 1e-12);
        assertEquals(0.000386, w[2], 2e-5);
    }

    @Test
    void bootstrapCoversTheMean() {
        double[] x = new double[50];
        Rng r = new Rng(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.gaussian();
        }
        double[] ci = Stats.bootstrapCi95(x, 2000, new Rng(4));
        double m = Stats.mean(x);
        assertEquals(true, ci[0] < m && m < ci[1]);
    }

    @Test
    void mannWhitneyMatchesHandComputation() {
        // ranks of a in {1,2,3,3,4,5,6,7,8,9,10}: 1, 2, 3.5, 5, 6 -> R = 17.5, U = 2.5; mu = 15;
        // var = 5*6/12 * (12 - (2^3-2)/(11*10)) = 29.8636..., z = (2.5 - 15 + 0.5)/sqrt(var) = -2.19589, p = erfc(|z|/sqrt 2)
        double[] r = Stats.mannWhitney(new double[] {1, 2, 3, 4, 5}, new double[] {3, 6, 7, 8, 9, 10});
        assertEquals(2.5, r[0], 1e-12);
        assertEquals(-2.1958865654, r[1], 1e-9);
        assertEquals(0.0281000636, r[2], 1e-7);
        // identical samples: no evidence
        assertEquals(1.0, Stats.mannWhitney(new double[] {1, 2, 3}, new double[] {1, 2, 3})[2], 1e-12);
    }
}
