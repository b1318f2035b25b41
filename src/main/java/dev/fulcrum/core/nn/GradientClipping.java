package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Collection;

/**
 * Global-norm gradient clipping (Pascanu et al. 2013), as {@code torch.nn.utils.clip_grad_norm_}: with
 * {@code n = sqrt(sum_p ||g_p||^2)} over every parameter's accumulated gradient, if {@code n > maxNorm} every gradient
 * is scaled in place by {@code maxNorm / (n + 1e-6)}. Works on the gradients' memory directly (no engine calls); a
 * gradient that is not in host memory (on a GPU) is read and scaled by engine operations on its device instead
 * ({@link EngineUpdates}). Call between the backward pass and the optimiser step.
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** The global gradient norm before clipping (parameters without a gradient count as zero). */
    public static double globalNorm(Collection<NDArray> parameters) {
        return globalNorm(parameters, false);
    }

    /**
     * {@link #globalNorm(Collection)}; with {@code engineOps}, by engine operations for every gradient, CPU ones too (the
     * path of GPU tensors, chosen on the CPU to test it).
     */
    public static double globalNorm(Collection<NDArray> parameters, boolean engineOps) {
        double sum = 0;
        for (NDArray p : parameters) {
            if (!p.hasGradient()) {
                continue;
            }
            try (NDArray g = p.getGradient()) {
                if (engineOps || EngineUpdates.needed(p)) { // the parameter's device (cached), not a fresh gradient handle's
                    sum += EngineUpdates.squaredNorm(g);
                } else if (g.getDataType() == DataType.FLOAT32) {
                    FloatBuffer b = HostMemory.floats(g);
                    for (int i = 0, n = b.limit(); i < n; i++) {
                        double x = b.get(i);
                        sum += x * x;
                    }
                } else {
                    DoubleBuffer b = HostMemory.doubles(g);
                    for (int i = 0, n = b.limit(); i < n; i++) {
                        double x = b.get(i);
                        sum += x * x;
                    }
                }
            }
        }
        return Math.sqrt(sum);
    }

    /** Clips the gradients to global norm {@code maxNorm}; returns the norm before clipping. */
    public static double clip(Collection<NDArray> parameters, double maxNorm) {
        return clip(parameters, maxNorm, false);
    }

    /**
     * {@link #clip(Collection, double)}; with {@code engineOps}, by engine operations for every gradient, CPU ones too (the
     * path of GPU tensors, chosen on the CPU to test it).
     */
    public static double clip(Collection<NDArray> parameters, double maxNorm, boolean engineOps) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        }
        double norm = globalNorm(parameters, engineOps);
        if (norm > maxNorm) {
            scale(parameters, maxNorm / (norm + 1e-6), engineOps);
        }
        return norm;
    }

    private static void scale(Collection<NDArray> parameters, double factor, boolean engineOps) {
        for (NDArray p : parameters) {
            if (!p.hasGradient()) {
                continue;
            }
            try (NDArray g = p.getGradient()) {
                if (engineOps || EngineUpdates.needed(p)) { // the parameter's device (cached), not a fresh gradient handle's
                    EngineUpdates.scale(g, factor);
                } else if (g.getDataType() == DataType.FLOAT32) {
                    FloatBuffer b = HostMemory.floats(g);
                    float f = (float) factor;
                    for (int i = 0, n = b.limit(); i < n; i++) {
                        b.put(i, b.get(i) * f);
                    }
                } else {
                    DoubleBuffer b = HostMemory.doubles(g);
                    for (int i = 0, n = b.limit(); i < n; i++) {
                        b.put(i, b.get(i) * factor);
                    }
                }
            }
        }
    }
}
