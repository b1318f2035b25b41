package dev.fulcrum.control.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Mlp;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;

/** A state value {@code V(s) = MLP(s)}, returned with shape [B]. */
public final class ValueNetwork implements Module {
    private final Mlp net;

    public ValueNetwork(NDManager manager, int observationDim, int[] hidden, DataType dtype, Rng rng) {
        this.net = new Mlp(manager, observationDim, hidden, 1, dtype, rng);
    }

    public NDArray v(NDArray observations) {
        return net.forward(observations).squeeze(1);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Module.prefixed("net", net);
    }
}
