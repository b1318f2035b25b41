package dev.fulcrum.lm.rank;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Graded-relevance ranking metrics as BEIR (pytrec_eval) computes them, for one query:
 * <pre>
 *   DCG@k  = sum_{i=1..k} (2^{rel_i} - 1) / log2(i + 1)          (exponential gain, Jarvelin and Kekalainen 2002)
 *   nDCG@k = DCG@k / IDCG@k,  IDCG@k = DCG@k of the judgements sorted by grade         (0 when nothing is relevant)
 *   recall@k = |relevant in the top k| / |relevant|,  MRR@k = 1 / rank of the first relevant document in the top k
 * </pre>
 * where "relevant" means grade at least 1 (BEIR's convention). Documents without a judgement have grade 0.
 */
public final class RankingMetrics {
    private RankingMetrics() {
    }

    /** The grades of {@code ranking} (document ids, best first) under {@code judgements}; unjudged ids get 0. */
    public static int[] grades(List<String> ranking, Map<String, Integer> judgements) {
        return ranking.stream().mapToInt(d -> judgements.getOrDefault(d, 0)).toArray();
    }

    /** DCG@k of grades in ranked order. */
    public static double dcg(int[] ranked, int k) {
        double s = 0;
        for (int i = 0; i < Math.min(k, ranked.length); i++) {
            s += (Math.pow(2, ranked[i]) - 1) / (Math.log(i + 2) / Math.log(2));
        }
        return s;
    }

    /** nDCG@k of grades in ranked order against the ideal ordering of {@code allGrades} (every judged document). */
    public static double ndcg(int[] ranked, int[] allGrades, int k) {
        int[] ideal = allGrades.clone();
        Arrays.sort(ideal);
        for (int i = 0, j = ideal.length - 1; i < j; i++, j--) {
            int t = ideal[i];
            ideal[i] = ideal[j];
            ideal[j] = t;
        }
        double best = dcg(ideal, k);
        return best > 0 ? dcg(ranked, k) / best : 0;
    }

    /** nDCG@k of a ranking of document ids. */
    public static double ndcg(List<String> ranking, Map<String, Integer> judgements, int k) {
        return ndcg(grades(ranking, judgements), judgements.values().stream().mapToInt(Integer::intValue).toArray(), k);
    }

    /** Recall@k of a ranking of document ids (NaN when no document is relevant). */
    public static double recall(List<String> ranking, Map<String, Integer> judgements, int k) {
        long relevant = judgements.values().stream().filter(g -> g >= 1).count();
        if (relevant == 0) {
            return Double.NaN;
        }
        long found = ranking.stream().limit(k).filter(d -> judgements.getOrDefault(d, 0) >= 1).count();
        return (double) found / relevant;
    }

    /** MRR@k: the reciprocal rank of the first relevant document within the top k, else 0. */
    public static double reciprocalRank(List<String> ranking, Map<String, Integer> judgements, int k) {
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            if (judgements.getOrDefault(ranking.get(i), 0) >= 1) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }
}
