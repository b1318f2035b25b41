package dev.fulcrum.lm.rank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The InfoNCE contrastive loss of dense retrieval (van den Oord et al. 2018; DPR, Karpukhin et al. 2020, eq. 2) with
 * in-batch and candidate negatives: every query {@code i} of the batch is scored against all {@code M} documents of the
 * batch (its positive, the other queries' positives, and the sampled hard negatives of every query),
 * <pre>
 *   L = -(1/B) sum_i log [ exp(s(q_i, d_{p(i)})) / sum_{m=1..M} exp(s(q_i, d_m)) ],   s(q, d) = cos(q, d) / tau
 * </pre>
 * Here the scores come in as a matrix; the encoder computes {@code cos / tau}.
 */
public final class InfoNce {
    private InfoNce() {
    }

    /**
     * The mean loss over queries of {@code scores} {@code [B, M]} with query {@code i}'s positive at column
     * {@code positives[i]}.
     */
    public static NDArray loss(NDManager manager, NDArray scores, int[] positives) {
        int b = Math.toIntExact(scores.getShape().get(0)), m = Math.toIntExact(scores.getShape().get(1));
        if (positives.length != b) {
            throw new IllegalArgumentException("one positive per query: " + positives.length + " for " + b + " queries");
        }
        float[] onehot = new float[b * m];
        for (int i = 0; i < b; i++) {
            if (positives[i] < 0 || positives[i] >= m) {
                throw new IllegalArgumentException("positive column " + positives[i] + " of query " + i + " is outside [0, " + m + ")");
            }
            onehot[i * m + positives[i]] = 1f;
        }
        NDArray select = manager.create(onehot, new Shape(b, m)).toType(scores.getDataType(), false);
        return scores.logSoftmax(1).mul(select).sum().neg().div(manager.create((double) b).toType(scores.getDataType(), false));
    }
}
