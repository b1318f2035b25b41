package dev.fulcrum.lm.rank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;

/**
 * The Plackett-Luce ranking policy over a candidate set with scores {@code s} (Plackett 1975, Luce 1959; the policy of
 * Gao et al. 2023, Neural PG-Rank):
 * <pre>
 *   pi(r | q) = prod_{i=1..n} exp(s_{r_i}) / sum_{j=i..n} exp(s_{r_j})
 *   log pi(r | q) = sum_{i=1..n} [ s_{r_i} - log sum_{j >= i} exp(s_{r_j}) ]
 * </pre>
 * Sampling is exact by the Gumbel trick: sort {@code s_d + g_d}, {@code g_d ~ Gumbel(0, 1)} i.i.d., in decreasing order
 * (Yellott 1977); the order of the first {@code k} is a draw of the top-k prefix. Noise comes from our {@link Rng}.
 */
public final class PlackettLuce {
    private PlackettLuce() {
    }

    /** One ranking (candidate indices, best first) drawn from PL({@code scores}). */
    public static int[] sample(double[] scores, Rng rng) {
        int n = scores.length;
        double[] perturbed = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            perturbed[i] = scores[i] - Math.log(-Math.log(Math.max(u, Double.MIN_NORMAL)));
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(perturbed[b], perturbed[a]));
        int[] ranking = new int[n];
        for (int i = 0; i < n; i++) {
            ranking[i] = order[i];
        }
        return ranking;
    }

    /** The exact log-probability of a ranking's first {@code positions} places (Java arithmetic, for tests and checks). */
    public static double logProbability(double[] scores, int[] ranking, int positions) {
        double lp = 0;
        for (int i = 0; i < positions; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = i; j < ranking.length; j++) {
                max = Math.max(max, scores[ranking[j]]);
            }
            double z = 0;
            for (int j = i; j < ranking.length; j++) {
                z += Math.exp(scores[ranking[j]] - max);
            }
            lp += scores[ranking[i]] - max - Math.log(z);
        }
        return lp;
    }

    /**
     * Log-probabilities {@code [N]} of {@code rankings} (each a permutation of the {@code n} candidates) under the scores
     * {@code [n]}, summed over the first {@code positions} places: the top-k prefix's probability, which is all a reward
     * that depends only on the top k (nDCG@k) needs. Differentiable in {@code scores}: the ranking enters as a one-hot
     * permutation tensor, the suffix log-sum-exps as a product with an upper-triangular mask, shifted by the (constant)
     * maximum score.
     */
    public static NDArray logProbabilities(NDManager manager, NDArray scores, int[][] rankings, int positions) {
        int n = Math.toIntExact(scores.getShape().get(0));
        int samples = rankings.length;
        if (positions < 1 || positions > n) {
            throw new IllegalArgumentException("positions must lie in [1, " + n + "], got " + positions);
        }
        float[] onehot = new float[samples * n * n];
        for (int s = 0; s < samples; s++) {
            if (rankings[s].length != n) {
                throw new IllegalArgumentException("ranking " + s + " has " + rankings[s].length + " entries, expected " + n);
            }
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                int d = rankings[s][i];
                if (d < 0 || d >= n || seen[d]) {
                    throw new IllegalArgumentException("ranking " + s + " is not a permutation of 0.." + (n - 1));
                }
                seen[d] = true;
                onehot[(s * n + i) * n + d] = 1f;
            }
        }
        float[] suffix = new float[n * n]; // suffix[j][i] = 1 when j >= i
        for (int j = 0; j < n; j++) {
            for (int i = 0; i <= j; i++) {
                suffix[j * n + i] = 1f;
            }
        }
        float[] prefix = new float[n];
        for (int i = 0; i < positions; i++) {
            prefix[i] = 1f;
        }
        var type = scores.getDataType();
        NDArray permutation = manager.create(onehot, new Shape(samples, n, n)).toType(type, false);
        NDArray max = scores.max().stopGradient();
        NDArray shifted = scores.sub(max);
        NDArray ranked = permutation.matMul(shifted.reshape(n, 1)).reshape(samples, n); // [N, n]: s_{r_i} - max
        NDArray logSuffix = ranked.exp().matMul(manager.create(suffix, new Shape(n, n)).toType(type, false)).log();
        NDArray perPosition = ranked.sub(logSuffix).mul(manager.create(prefix, new Shape(1, n)).toType(type, false));
        return perPosition.sum(new int[] {1});
    }
}
