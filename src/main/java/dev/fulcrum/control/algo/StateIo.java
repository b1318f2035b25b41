package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.run.Checkpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An algorithm's resumable state in a checkpoint: live weights under their names, each optimiser's moments under
 * {@code optim.<name>.<parameter>} and its step count under {@code optim.<name>.steps}. Written once here so that every
 * algorithm saves and restores the same way.
 */
final class StateIo {
    private StateIo() {
    }

    /** Optimisers by checkpoint name, in order: {@code named("critic", criticOptimizer, "actor", actorOptimizer)}. */
    static Map<String, Adam> named(Object... nameAndOptimizer) {
        Map<String, Adam> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndOptimizer.length; i += 2) {
            m.put((String) nameAndOptimizer[i], (Adam) nameAndOptimizer[i + 1]);
        }
        return m;
    }

    /** The live weights plus copies (made in {@code scratch}) of every optimiser's moments. */
    static Map<String, NDArray> tensors(Map<String, NDArray> weights, Map<String, Adam> optimizers, NDManager scratch) {
        Map<String, NDArray> s = new LinkedHashMap<>(weights);
        optimizers.forEach((name, o) -> o.stateTensors(scratch).forEach((k, v) -> s.put("optim." + name + "." + k, v)));
        return s;
    }

    /** Every optimiser's step count; callers add their RNG streams to the (mutable) map. */
    static Map<String, String> metadata(Map<String, Adam> optimizers) {
        Map<String, String> m = new LinkedHashMap<>();
        optimizers.forEach((name, o) -> m.put("optim." + name + ".steps", Long.toString(o.steps())));
        return m;
    }

    /** Restores what {@link #tensors} and {@link #metadata} saved. */
    static void load(Checkpoint c, Map<String, NDArray> weights, Map<String, Adam> optimizers) {
        c.restoreParameters(weights, "algorithm's networks");
        optimizers.forEach((name, o) -> {
            String steps = c.metadata().get("optim." + name + ".steps");
            if (steps == null) {
                throw new IllegalArgumentException("checkpoint lacks the step count of optimiser '" + name + "'");
            }
            o.restore(c.group("optim." + name), Long.parseLong(steps));
        });
    }
}
