package dev.fulcrum.lm.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** nDCG, recall and MRR worked out by hand. */
class RankingMetricsTest {
    private static final double LOG2_3 = Math.log(3) / Math.log(2);

    @Test
    void ndcgByHand() {
        Map<String, Integer> j = Map.of("a", 2, "b", 1, "c", 1);
        // ranking x, b, a: DCG = 0 + 1/log2(3) + 3/log2(4) = 1/1.58496 + 1.5; ideal a, b, c: 3 + 1/log2(3) + 1/2
        double dcg = 1 / LOG2_3 + 3.0 / 2;
        double ideal = 3 + 1 / LOG2_3 + 0.5;
        assertEquals(dcg / ideal, RankingMetrics.ndcg(List.of("x", "b", "a"), j, 10), 1e-12);
        // cut at 2: DCG@2 = 1/log2(3); IDCG@2 = 3 + 1/log2(3)
        assertEquals((1 / LOG2_3) / (3 + 1 / LOG2_3), RankingMetrics.ndcg(List.of("x", "b", "a"), j, 2), 1e-12);
        assertEquals(1.0, RankingMetrics.ndcg(List.of("a", "c", "b", "x"), j, 10), 1e-12);
        assertEquals(0.0, RankingMetrics.ndcg(List.of("x", "y"), Map.of(), 10), 0);
    }

    @Test
    void recallAndReciprocalRank() {
        Map<String, Integer> j = Map.of("a", 2, "b", 1, "z", 0);
        List<String> r = List.of("x", "z", "b", "y", "a");
        assertEquals(0.5, RankingMetrics.recall(r, j, 3), 1e-15);
        assertEquals(1.0, RankingMetrics.recall(r, j, 5), 1e-15);
        assertEquals(1.0 / 3, RankingMetrics.reciprocalRank(r, j, 10), 1e-15);
        assertEquals(0.0, RankingMetrics.reciprocalRank(r, j, 2), 0);
    }
}
