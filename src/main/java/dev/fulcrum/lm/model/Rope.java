package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding (Su et al. 2021, "RoFormer", eq. 34) in the rotate-half form of Hugging Face's Llama:
 * with {@code inv_freq_i = theta^(-2i/d)} for {@code i < d/2} and angle {@code a = pos * inv_freq} repeated twice,
 * {@code rope(x) = x cos(a) + rotate_half(x) sin(a)} where {@code rotate_half([x1, x2]) = [-x2, x1]}.
 *
 * <p>The cos/sin tables cover every position once (computed in double, stored in the model's type) and are looked up by
 * the batch's position ids, so left-padded rows rotate by their own positions. {@code rotate_half} is one matmul with
 * a fixed signed permutation matrix, which autograd differentiates like any other product.
 */
final class Rope {
    private final NDArray cos;
    private final NDArray sin;
    private final NDArray rotateHalf;

    Rope(NDManager manager, int headDim, int maxPositions, double theta, DataType dtype) {
        int half = headDim / 2;
        double[] c = new double[maxPositions * headDim];
        double[] s = new double[maxPositions * headDim];
        for (int pos = 0; pos < maxPositions; pos++) {
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / headDim);
                c[pos * headDim + i] = c[pos * headDim + i + half] = Math.cos(angle);
                s[pos * headDim + i] = s[pos * headDim + i + half] = Math.sin(angle);
            }
        }
        double[] r = new double[headDim * headDim]; // (x @ R)[j] = -x[j + half] for j < half, x[j - half] otherwise
        for (int j = 0; j < half; j++) {
            r[(j + half) * headDim + j] = -1;
            r[j * headDim + j + half] = 1;
        }
        this.cos = constant(manager, c, new Shape(maxPositions, headDim), dtype);
        this.sin = constant(manager, s, new Shape(maxPositions, headDim), dtype);
        this.rotateHalf = constant(manager, r, new Shape(headDim, headDim), dtype);
    }

    private static NDArray constant(NDManager manager, double[] values, Shape shape, DataType dtype) {
        NDArray a = manager.create(values, shape);
        NDArray out = dtype == DataType.FLOAT64 ? a : a.toType(dtype, false);
        if (out != a) {
            a.close();
        }
        NDScope.unregister(out); // lives as long as the model, whatever scope it was built in
        return out;
    }

    /** cos and sin at {@code positions} [B, T], shaped [B, T, 1, headDim] to broadcast over heads. */
    NDArray[] angles(NDArray positions) {
        NDArray c = Layers.embedding(positions, cos).expandDims(2);
        NDArray s = Layers.embedding(positions, sin).expandDims(2);
        return new NDArray[] {c, s};
    }

    /** Rotates {@code x} [B, T, heads, headDim] by the angles from {@link #angles}. */
    NDArray apply(NDArray x, NDArray[] angles) {
        return x.mul(angles[0]).add(x.matMul(rotateHalf).mul(angles[1]));
    }
}
