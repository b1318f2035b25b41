package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Data order: every example once per epoch, length grouping, and exact restoration from checkpoint metadata. */
class BatchPlanTest {
    private static int[] lengths(int n) {
        Rng r = new Rng(7);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = 5 + r.nextInt(200);
        }
        return l;
    }

    @Test
    void everyExampleOncePerEpoch() {
        for (boolean grouped : new boolean[] {false, true}) {
            BatchPlan plan = new BatchPlan(lengths(1000), 32, grouped, new Rng(1));
            int[] seen = new int[1000];
            int batches = 0;
            while (plan.epochs() < 1) {
                for (int i : plan.next()) {
                    seen[i]++;
                }
                batches++;
            }
            assertEquals(32, batches, "mega-batches of 512 and 488 examples cut into 16 + 16 batches");
            assertTrue(Arrays.stream(seen).allMatch(c -> c == 1), "grouped " + grouped);
            assertEquals(1.0, plan.epochs(), 1e-12);
        }
    }

    @Test
    void groupingKeepsBatchesOfSimilarLength() {
        int[] l = lengths(1000);
        double spreadGrouped = meanSpread(new BatchPlan(l, 32, true, new Rng(1)), l);
        double spreadRandom = meanSpread(new BatchPlan(l, 32, false, new Rng(1)), l);
        assertTrue(spreadGrouped < spreadRandom / 5, spreadGrouped + " vs " + spreadRandom);
    }

    private static double meanSpread(BatchPlan plan, int[] l) {
        double total = 0;
        for (int b = 0; b < 20; b++) {
            int[] batch = plan.next();
            int lo = Integer.MAX_VALUE, hi = 0;
            for (int i : batch) {
                lo = Math.min(lo, l[i]);
                hi = Math.max(hi, l[i]);
            }
            total += hi - lo;
        }
        return total / 20;
    }

    @Test
    void restoredPlanContinuesExactly() {
        int[] l = lengths(100);
        BatchPlan original = new BatchPlan(l, 8, true, new Rng(3));
        for (int b = 0; b < 23; b++) { // into the second epoch (14 batches per epoch)
            original.next();
        }
        Map<String, String> meta = new LinkedHashMap<>();
        original.save(meta);
        BatchPlan restored = new BatchPlan(l, 8, true, new Rng(3));
        restored.restore(new Checkpoint(0, Map.of(), meta));
        for (int b = 0; b < 30; b++) {
            assertArrayEquals(original.next(), restored.next(), "batch " + b + " after restoring");
        }
    }

    @Test
    void easyToHardVisitsEachDifficultyInTurnEveryEpoch() {
        int n = 300;
        int[] l = lengths(n), difficulty = new int[n];
        Rng r = new Rng(11);
        for (int i = 0; i < n; i++) {
            difficulty[i] = 1 + r.nextInt(4);
        }
        for (boolean grouped : new boolean[] {false, true}) {
            BatchPlan plan = new BatchPlan(l, 16, grouped, new Rng(2), difficulty);
            for (int epoch = 0; epoch < 2; epoch++) {
                int[] seen = new int[n];
                int previous = 0;
                do {
                    int[] batch = plan.next();
                    int level = difficulty[batch[0]];
                    for (int i : batch) {
                        assertEquals(level, difficulty[i], "no batch mixes difficulties");
                        seen[i]++;
                    }
                    assertTrue(level >= previous, "easy to hard within an epoch");
                    previous = level;
                } while (plan.epochs() < epoch + 1);
                assertTrue(Arrays.stream(seen).allMatch(c -> c == 1), "every example once per epoch, grouped " + grouped);
            }
        }
        // the shuffle within a level differs between epochs, and restoring continues exactly
        BatchPlan original = new BatchPlan(l, 16, true, new Rng(2), difficulty);
        for (int b = 0; b < 27; b++) {
            original.next();
        }
        Map<String, String> meta = new LinkedHashMap<>();
        original.save(meta);
        BatchPlan restored = new BatchPlan(l, 16, true, new Rng(2), difficulty);
        restored.restore(new Checkpoint(0, Map.of(), meta));
        for (int b = 0; b < 30; b++) {
            assertArrayEquals(original.next(), restored.next(), "batch " + b + " after restoring");
        }
    }

    @Test
    void withoutDifficultiesThePlanIsUnchanged() {
        int[] l = lengths(200);
        BatchPlan a = new BatchPlan(l, 8, true, new Rng(5)), b = new BatchPlan(l, 8, true, new Rng(5), null);
        for (int i = 0; i < 60; i++) {
            assertArrayEquals(a.next(), b.next());
        }
    }
}
