package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

/**
 * The element-wise parameter updates of {@link Adam}, {@link GradientClipping} and Polyak averaging
 * ({@link Module#softUpdateFrom}) as in-place engine operations on the tensors' own device: the path for tensors that are
 * not in host memory (a GPU), where {@link HostMemory} cannot reach. The arithmetic is the host path's, operation for
 * operation and in the same order, with every constant rounded to the tensor's type first, so on the CPU the two paths
 * agree to the last bit or nearly (tested in {@code EngineUpdatesTest}). On the CPU the host path stays the default: it
 * is four times faster on small tensors, where one engine call per operation costs more than the arithmetic.
 *
 * <p>Every intermediate lives in an {@link NDScope}; the parameters, gradients and moments are changed in place.
 */
final class EngineUpdates {
    private EngineUpdates() {
    }

    /** Whether {@code a} needs the engine path: its memory is not on the host. */
    static boolean needed(NDArray a) {
        return !Devices.onCpu(a);
    }

    /**
     * One Adam(W) update of {@code w} from gradient {@code g}, moments {@code m} and {@code v} changed in place: with
     * AdamW's {@code decay = 1 - lr lambda} first, {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + ((1 - b2) g) g},
     * {@code w -= (stepSize m) / (sqrt(v) invRootC2 + eps)} (the host path's {@code updateFloat}/{@code updateDouble}).
     */
    static void adam(NDArray w, NDArray g, NDArray m, NDArray v, double beta1, double beta2, double epsilon, double stepSize,
                     double invRootC2, double decay) {
        boolean single = w.getDataType() == DataType.FLOAT32;
        // the float constants exactly as the host path rounds them
        double b1 = single ? (float) beta1 : beta1;
        double b2 = single ? (float) beta2 : beta2;
        double c1 = single ? 1 - (float) beta1 : 1 - beta1;
        double c2 = single ? 1 - (float) beta2 : 1 - beta2;
        try (NDScope ignored = new NDScope()) {
            if (single ? (float) decay != 1f : decay != 1) {
                w.muli(constant(w, decay));
            }
            m.muli(constant(m, b1)).addi(g.mul(constant(g, c1)));
            v.muli(constant(v, b2)).addi(g.mul(constant(g, c2)).muli(g));
            NDArray denominator = v.sqrt().muli(constant(v, invRootC2)).addi(constant(v, epsilon));
            w.subi(m.mul(constant(m, stepSize)).divi(denominator));
        }
    }

    /** The squared Euclidean norm of {@code g}, summed in float64. */
    static double squaredNorm(NDArray g) {
        try (NDScope ignored = new NDScope()) {
            NDArray x = g.getDataType() == DataType.FLOAT64 ? g : g.toType(DataType.FLOAT64, false);
            return x.square().sum().toDoubleArray()[0];
        }
    }

    /** {@code g <- factor g}, in place, the factor rounded to {@code g}'s type. */
    static void scale(NDArray g, double factor) {
        try (NDScope ignored = new NDScope()) {
            g.muli(constant(g, factor));
        }
    }

    /** {@code target <- (1 - tau) target + tau source}, in place. */
    static void polyak(NDArray target, NDArray source, double tau) {
        try (NDScope ignored = new NDScope()) {
            target.muli(constant(target, 1 - tau)).addi(source.mul(constant(source, tau)));
        }
    }

    /** {@code value} as a 0-d tensor of {@code like}'s type on {@code like}'s device (inside the caller's scope). */
    private static NDArray constant(NDArray like, double value) {
        return like.getDataType() == DataType.FLOAT32 ? like.getManager().create((float) value) : like.getManager().create(value);
    }
}
