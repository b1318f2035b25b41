package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.fulcrum.core.nn.Scalars;

/**
 * The transformer's building blocks as functions of tensors (parameters are passed in). Every result is created from
 * the activation operand first, so it belongs to the activation's manager and to the enclosing {@code NDScope}, never
 * to the parameters' manager.
 */
final class Layers {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private Layers() {
    }

    /** Rows of {@code table} at integer {@code ids}: {@code table[ids]}, shape {@code ids.shape + [width]}. */
    static NDArray embedding(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** {@code nn.Linear}: {@code x W^T + b}, {@code W} laid out {@code [out, in]}; {@code bias} may be null. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    /** GPT-2's {@code Conv1D}: {@code x W + b}, {@code W} laid out {@code [in, out]} (a transposed view, no copy). */
    static NDArray conv1d(NDArray x, NDArray weight, NDArray bias) {
        return linear(x, weight.transpose(), bias);
    }

    /** LayerNorm over the last axis (Ba et al. 2016), PyTorch's fused kernel. */
    static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
        return x.getNDArrayInternal().layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, (float) eps)
                .singletonOrThrow();
    }

    /** RMSNorm (Zhang and Sennrich 2019): {@code w * x / sqrt(mean(x^2) + eps)} over the last axis. */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        return rmsNormalise(x, eps).mul(weight);
    }

    /** RMSNorm without its gain: {@code x / sqrt(mean(x^2) + eps)} over the last axis. */
    static NDArray rmsNormalise(NDArray x, double eps) {
        return x.div(x.square().mean(new int[] {-1}, true).add(Scalars.of(x, eps)).sqrt());
    }

    /**
     * GELU, tanh approximation (Hendrycks and Gimpel 2016; Hugging Face's {@code gelu_new}, used by GPT-2):
     * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. PyTorch's JNI {@code gelu} is the exact erf form.
     */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = x.square().mul(Scalars.of(x, SQRT_2_OVER_PI * 0.044715)).add(Scalars.of(x, SQRT_2_OVER_PI)).mul(x);
        NDArray half = x.mul(Scalars.of(x, 0.5));
        return half.add(half.mul(inner.tanh()));
    }

    /** SiLU (swish), {@code x sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }
}
