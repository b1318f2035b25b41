package dev.fulcrum.control.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Mlp;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;

/** A state-action value {@code Q(s, a) = MLP([s, a])}, returned with shape [B]. */
public final class QNetwork implements Module {
    private final Mlp net;

    public QNetwork(NDManager manager, int observationDim, int actionDim, int[] hidden, DataType dtype, Rng rng) {
        this.net = new Mlp(manager, observationDim + actionDim, hidden, 1, dtype, rng);
    }

    public NDArray q(NDArray observations, NDArray actions) {
        return net.forward(observations.concat(actions, 1)).squeeze(1);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Module.prefixed("net", net);
    }
}
