package dev.fulcrum.lm.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Plackett-Luce policy: log-probabilities by hand and by finite differences, and the Gumbel sampler's ranking
 * frequencies against the exact probabilities (chi-square goodness of fit).
 */
class PlackettLuceTest {

    @Test
    void logProbabilityByHand() {
        // scores (1, 0, 2), ranking (2, 0, 1): e^2/(e^1+e^0+e^2) * e^1/(e^1+e^0) * 1
        double[] s = {1, 0, 2};
        double expected = Math.log(Math.exp(2) / (Math.exp(1) + 1 + Math.exp(2))) + Math.log(Math.exp(1) / (Math.exp(1) + 1));
        assertEquals(expected, PlackettLuce.logProbability(s, new int[] {2, 0, 1}, 3), 1e-14);
        try (NDManager m = Torch.newManager()) {
            NDArray lp = PlackettLuce.logProbabilities(m, m.create(s), new int[][] {{2, 0, 1}, {0, 1, 2}}, 3);
            assertEquals(expected, lp.toDoubleArray()[0], 1e-12);
            double second = Math.log(Math.exp(1) / (Math.exp(1) + 1 + Math.exp(2))) + Math.log(1 / (1 + Math.exp(2)));
            assertEquals(second, lp.toDoubleArray()[1], 1e-12);
            // the top-1 prefix is the softmax probability of the first item
            NDArray top1 = PlackettLuce.logProbabilities(m, m.create(s), new int[][] {{2, 0, 1}}, 1);
            assertEquals(Math.log(Math.exp(2) / (Math.exp(1) + 1 + Math.exp(2))), top1.toDoubleArray()[0], 1e-12);
        }
    }

    @Test
    void probabilitiesOfAllRankingsSumToOne() {
        double[] s = {0.3, -1.2, 2.0, 0.7};
        double total = 0;
        for (int[] p : permutations(4)) {
            total += Math.exp(PlackettLuce.logProbability(s, p, 4));
        }
        assertEquals(1.0, total, 1e-12);
    }

    @Test
    void finiteDifferenceGradient() {
        try (NDManager m = Torch.newManager()) {
            NDArray s = m.create(new double[] {0.5, -1.0, 2.5, 0.0, 1.2});
            int[][] rankings = {{2, 4, 0, 3, 1}, {1, 0, 2, 3, 4}, {4, 3, 2, 1, 0}};
            NDArray weights = m.create(new double[] {0.7, -1.3, 0.4});
            GradCheck.Result r = GradCheck.check(Map.of("scores", s),
                    () -> PlackettLuce.logProbabilities(m, s, rankings, 3).mul(weights).sum(), 1e-6, 10);
            assertTrue(r.maxRelativeError() < 1e-7, r.toString());
        }
    }

    /** 4 items, 24 rankings, 48 000 draws: Pearson's chi-square against the exact PL probabilities. */
    @Test
    void samplerMatchesExactDistribution() {
        double[] s = {1.0, 0.0, -0.5, 0.8};
        Rng rng = new Rng(7);
        int draws = 48_000;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            counts.merge(Arrays.toString(PlackettLuce.sample(s, rng)), 1, Integer::sum);
        }
        double chi2 = 0;
        for (int[] p : permutations(4)) {
            double expected = draws * Math.exp(PlackettLuce.logProbability(s, p, 4));
            double observed = counts.getOrDefault(Arrays.toString(p), 0);
            chi2 += (observed - expected) * (observed - expected) / expected;
        }
        // 23 degrees of freedom: the 99.9% quantile is 49.73
        assertTrue(chi2 < 49.73, "chi-square " + chi2);
        assertEquals(24, counts.size());
    }

    @Test
    void rejectsRankingsThatAreNotPermutations() {
        try (NDManager m = Torch.newManager()) {
            NDArray s = m.create(new double[] {1, 2, 3});
            assertThrows(IllegalArgumentException.class, () -> PlackettLuce.logProbabilities(m, s, new int[][] {{0, 0, 1}}, 3));
            assertThrows(IllegalArgumentException.class, () -> PlackettLuce.logProbabilities(m, s, new int[][] {{0, 1, 2}}, 4));
        }
    }

    static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] current, boolean[] used, int at, List<int[]> out) {
        if (at == current.length) {
            out.add(current.clone());
            return;
        }
        for (int i = 0; i < current.length; i++) {
            if (!used[i]) {
                used[i] = true;
                current[at] = i;
                permute(current, used, at + 1, out);
                used[i] = false;
            }
        }
    }
}
