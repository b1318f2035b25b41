package dev.fulcrum.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/** rliable-style aggregates and intervals against hand-computed values. */
class RliableTest {
    private static final double[][] TWO_TASKS = {{1, 2, 3, 4}, {10, 20, 30, 40}};

    @Test
    void aggregates() {
        // task means 2.5 and 25
        assertEquals(13.75, Rliable.mean(TWO_TASKS), 1e-12);
        assertEquals(13.75, Rliable.median(TWO_TASKS), 1e-12);
        // pooled and sorted: 1 2 | 3 4 10 20 | 30 40: the middle half
        assertEquals((3 + 4 + 10 + 20) / 4.0, Rliable.iqm(TWO_TASKS), 1e-12);
        double[][] three = {{0, 1}, {5, 5}, {10, 20}}; // task means 0.5, 5, 15
        assertEquals(5, Rliable.median(three), 1e-12);
        assertEquals(20.5 / 3, Rliable.mean(three), 1e-12);
        assertEquals(Rliable.iqm(three), Rliable.Aggregate.IQM.of(three), 0);
        // ragged tasks: each task weighs the same in the mean
        assertEquals((2 + 10) / 2.0, Rliable.mean(new double[][] {{1, 3}, {10}}), 1e-12);
    }

    @Test
    void percentilesInterpolateLikeNumpy() {
        assertEquals(1.75, Rliable.percentile(new double[] {4, 1, 3, 2}, 25), 1e-12);
        assertEquals(3.925, Rliable.percentile(new double[] {1, 2, 3, 4}, 97.5), 1e-12);
        assertEquals(7, Rliable.percentile(new double[] {7}, 2.5), 0);
    }

    @Test
    void stratifiedBootstrapKeepsTasksApart() {
        // Constant within each task: every stratified replicate has the same task means, so the interval is a point.
        // (Resampling the pooled six scores would mix the tasks and spread the mean from 0 to 10.)
        double[][] s = {{0, 0, 0}, {10, 10, 10}};
        Rliable.Interval ci = Rliable.stratifiedBootstrap(s, Rliable.Aggregate.MEAN, 2000, 0.95, new Rng(1));
        assertEquals(new Rliable.Interval(5, 5, 5), ci);
    }

    @Test
    void bootstrapOfTwoValuesSpansTheirRange() {
        // One task {0, 1}: a replicate's mean is 0 (prob 1/4), 1/2 (1/2) or 1 (1/4); the 2.5% and 97.5% points are 0 and 1.
        Rliable.Interval ci = Rliable.stratifiedBootstrap(new double[][] {{0, 1}}, Rliable.Aggregate.MEAN, 20_000, 0.95,
                new Rng(2));
        assertEquals(0.5, ci.estimate(), 0);
        assertEquals(0, ci.lo(), 0);
        assertEquals(1, ci.hi(), 0);
        // a 40% interval of the same: replicates are 0 / 0.5 / 1 in proportions 1/4, 1/2, 1/4; the 30% and 70% points
        // fall inside the block of 0.5s
        Rliable.Interval narrow = Rliable.stratifiedBootstrap(new double[][] {{0, 1}}, Rliable.Aggregate.MEAN, 20_000, 0.4,
                new Rng(2));
        assertEquals(0.5, narrow.lo(), 0);
        assertEquals(0.5, narrow.hi(), 0);
    }

    @Test
    void bootstrapIsReproducibleAndCoversTheEstimate() {
        double[][] s = {{55, 60, 72, 80, 91}, {20, 35, 33, 40, 29}};
        for (Rliable.Aggregate agg : Rliable.Aggregate.values()) {
            Rliable.Interval a = Rliable.stratifiedBootstrap(s, agg, 3000, 0.95, new Rng(7));
            Rliable.Interval b = Rliable.stratifiedBootstrap(s, agg, 3000, 0.95, new Rng(7));
            assertEquals(a, b, agg + " reproducible from the seed");
            assertTrue(a.lo() <= a.estimate() && a.estimate() <= a.hi(), agg + ": " + a);
            assertTrue(a.lo() < a.hi(), agg + " has spread: " + a);
        }
    }

    @Test
    void probabilityOfImprovement() {
        // 1 vs (2, 2): 0 + 0; 2 vs (2, 2): 1/2 + 1/2; 3 vs (2, 2): 1 + 1 -> 3 of 6 pairs
        assertEquals(0.5, Rliable.probabilityOfImprovement(new double[][] {{1, 2, 3}}, new double[][] {{2, 2}}), 1e-12);
        // task 0: every x beats every y (1); task 1: 1 vs 1 ties (1/2), 1 vs 2 loses (0) -> 1/4; average 5/8
        assertEquals(0.625, Rliable.probabilityOfImprovement(new double[][] {{3, 4}, {1}}, new double[][] {{1, 2}, {1, 2}}),
                1e-12);
        Rliable.Interval sure = Rliable.probabilityOfImprovement(new double[][] {{5, 6, 7}}, new double[][] {{1, 2}}, 1000, 0.95,
                new Rng(3));
        assertEquals(new Rliable.Interval(1, 1, 1), sure);
        Rliable.Interval unsure = Rliable.probabilityOfImprovement(new double[][] {{1, 3, 5}}, new double[][] {{2, 4, 6}}, 4000,
                0.95, new Rng(3));
        assertEquals(3.0 / 9, unsure.estimate(), 1e-12);
        assertTrue(unsure.lo() < 3.0 / 9 && unsure.hi() > 3.0 / 9, unsure.toString());
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> Rliable.mean(new double[0][]));
        String msg = assertThrows(IllegalArgumentException.class, () -> Rliable.iqm(new double[][] {{1}, {}})).getMessage();
        assertEquals("task 1 has no runs", msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> Rliable.probabilityOfImprovement(new double[][] {{1}}, new double[][] {{1}, {2}})).getMessage();
        assertTrue(msg.contains("same tasks"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> Rliable.mean(new double[][] {{1, Double.NaN}})).getMessage();
        assertEquals("task 0 run 1 has score NaN", msg);
    }
}
