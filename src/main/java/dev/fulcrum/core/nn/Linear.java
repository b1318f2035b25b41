package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dense layer {@code y = x W^T + b} with PyTorch's layout ({@code weight} is {@code [out, in]}) and PyTorch's default
 * initialisation, {@code U(-1/sqrt(in), 1/sqrt(in))} for weight and bias, drawn from our own {@link Rng}.
 */
public final class Linear implements Module {
    private final NDArray weight;
    private final NDArray bias;

    public Linear(NDManager manager, int in, int out, DataType dtype, Rng rng) {
        double bound = 1.0 / Math.sqrt(in);
        this.weight = uniform(manager, new Shape(out, in), bound, dtype, rng);
        this.bias = uniform(manager, new Shape(out), bound, dtype, rng);
        weight.setRequiresGradient(true);
        bias.setRequiresGradient(true);
    }

    private static NDArray uniform(NDManager manager, Shape shape, double bound, DataType dtype, Rng rng) {
        double[] values = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.uniform(-bound, bound);
        }
        NDArray a = manager.create(values, shape);
        if (dtype == DataType.FLOAT64) {
            return a;
        }
        NDArray cast = a.toType(dtype, false);
        a.close();
        return cast;
    }

    /** Applies the layer; the result belongs to {@code x}'s manager (and to the enclosing scope). */
    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    public int inputSize() {
        return (int) weight.getShape().get(1);
    }

    public int outputSize() {
        return (int) weight.getShape().get(0);
    }

    @Override
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("weight", weight);
        p.put("bias", bias);
        return p;
    }
}
