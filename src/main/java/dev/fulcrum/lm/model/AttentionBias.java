package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Additive attention biases: 0 where a query may look, {@link TokenBatch#MASKED} where it may not. */
final class AttentionBias {
    private AttentionBias() {
    }

    /**
     * Bias {@code [rows, 1, queries, keys]} for {@code queries} new positions that follow {@code past} cached ones: query
     * {@code i} (absolute column {@code past + i}) sees key {@code j} iff {@code j <= past + i} and
     * {@code keyMask[row * keyStride + j]}. {@code keys = past + queries}.
     */
    static NDArray causal(NDManager manager, int rows, int queries, int past, boolean[] keyMask, int keyStride,
                          DataType dtype) {
        int keys = past + queries;
        float masked = (float) TokenBatch.MASKED;
        float[] bias = new float[rows * queries * keys];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < queries; i++) {
                int base = (r * queries + i) * keys;
                for (int j = 0; j < keys; j++) {
                    bias[base + j] = j <= past + i && keyMask[r * keyStride + j] ? 0f : masked;
                }
            }
        }
        NDArray a = manager.create(bias, new Shape(rows, 1, queries, keys));
        return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
    }
}
