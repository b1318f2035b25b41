package dev.fulcrum.lm.rank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;

/**
 * Neural PG-Rank's policy-gradient objective for one query (Gao et al. 2023, as ALGORITHMS.md summarises it; the paper's
 * text was not at hand, so no equation number is cited): the ranking policy is Plackett-Luce over the candidates' scores
 * ({@link PlackettLuce}); the utility of a ranking is its nDCG@k against the query's judgements; the gradient of the
 * expected utility is estimated by REINFORCE with the leave-one-out baseline over N rankings sampled from the current
 * policy,
 * <pre>
 *   grad E_{r ~ pi}[U(r)] ~ (1/N) sum_n [ U(r_n) - (1/(N-1)) sum_{m != n} U(r_m) ] grad log pi(r_n | q)
 * </pre>
 * {@link #loss} returns the surrogate whose gradient is minus that estimate: {@code -(1/N) sum_n A_n log pi(r_n)} with the
 * advantages {@code A_n} held constant. Only the top-k prefix of a ranking affects nDCG@k, so {@code log pi} is the
 * prefix's log-probability.
 */
public final class PgRank {
    private PgRank() {
    }

    /**
     * @param loss       the surrogate (scalar)
     * @param meanReward mean nDCG@k of the sampled rankings (the policy's expected utility, estimated)
     */
    public record Step(NDArray loss, double meanReward) {
    }

    /**
     * The surrogate loss for candidates with {@code scores} {@code [C]} (differentiable), {@code grades} (one per
     * candidate) and {@code allGrades} (every judged document of the query, for the ideal DCG).
     */
    public static Step loss(NDManager manager, NDArray scores, int[] grades, int[] allGrades, int samples, int cutoff, Rng rng) {
        int n = grades.length;
        if (scores.getShape().get(0) != n) {
            throw new IllegalArgumentException(scores.getShape() + " scores for " + n + " candidates");
        }
        if (samples < 2) {
            throw new IllegalArgumentException("the leave-one-out baseline needs at least 2 sampled rankings, got " + samples);
        }
        double[] s = scores.toType(DataType.FLOAT64, false).toDoubleArray();
        int[][] rankings = new int[samples][];
        double[] rewards = new double[samples];
        double total = 0;
        for (int i = 0; i < samples; i++) {
            rankings[i] = PlackettLuce.sample(s, rng);
            int[] ranked = new int[n];
            for (int j = 0; j < n; j++) {
                ranked[j] = grades[rankings[i][j]];
            }
            rewards[i] = RankingMetrics.ndcg(ranked, allGrades, cutoff);
            total += rewards[i];
        }
        double[] advantages = new double[samples];
        for (int i = 0; i < samples; i++) {
            advantages[i] = -(rewards[i] - (total - rewards[i]) / (samples - 1)) / samples;
        }
        NDArray logProbs = PlackettLuce.logProbabilities(manager, scores, rankings, Math.min(cutoff, n));
        NDArray weights = manager.create(advantages, new Shape(samples)).toType(scores.getDataType(), false);
        return new Step(logProbs.mul(weights).sum(), total / samples);
    }
}
