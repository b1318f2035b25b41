package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A ReLU multilayer perceptron with a linear output layer: {@code in -> hidden... -> out}. */
public final class Mlp implements Module {
    private final List<Linear> layers = new ArrayList<>();

    public Mlp(NDManager manager, int in, int[] hidden, int out, DataType dtype, Rng rng) {
        int width = in;
        for (int h : hidden) {
            layers.add(new Linear(manager, width, h, dtype, rng));
            width = h;
        }
        layers.add(new Linear(manager, width, out, dtype, rng));
    }

    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h);
            if (i < layers.size() - 1) {
                h = h.getNDArrayInternal().relu();
            }
        }
        return h;
    }

    public int inputSize() {
        return layers.getFirst().inputSize();
    }

    public int outputSize() {
        return layers.getLast().outputSize();
    }

    @Override
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            int layer = i;
            layers.get(i).parameters().forEach((k, v) -> p.put(layer + "." + k, v));
        }
        return p;
    }
}
