package dev.fulcrum.control.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Mlp;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;

/** A deterministic policy {@code tanh(MLP(s))} in the normalised action box [-1, 1] (TD3, TD3+BC). */
public final class DeterministicActor implements Module {
    private final Mlp net;

    public DeterministicActor(NDManager manager, int observationDim, int actionDim, int[] hidden, DataType dtype, Rng rng) {
        this.net = new Mlp(manager, observationDim, hidden, actionDim, dtype, rng);
    }

    public NDArray act(NDArray observations) {
        return net.forward(observations).tanh();
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Module.prefixed("net", net);
    }
}
