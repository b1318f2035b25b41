package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something that owns trainable parameters, listed under stable dotted names ("net.0.weight"). Names are the keys of
 * checkpoints and of the optimiser state, so they must not depend on construction order accidents.
 */
public interface Module {
    /** Parameters in a fixed order, by name. */
    Map<String, NDArray> parameters();

    /** Parameters of several modules under prefixes: {@code prefixed("q1", q1, "q2", q2)}. */
    static Map<String, NDArray> prefixed(Object... prefixAndModule) {
        Map<String, NDArray> all = new LinkedHashMap<>();
        for (int i = 0; i < prefixAndModule.length; i += 2) {
            String prefix = (String) prefixAndModule[i];
            Module m = (Module) prefixAndModule[i + 1];
            m.parameters().forEach((k, v) -> all.put(prefix + "." + k, v));
        }
        return all;
    }

    /** Number of scalar parameters. */
    default long parameterCount() {
        return parameters().values().stream().mapToLong(NDArray::size).sum();
    }

    /** Copies every parameter value of {@code source} (same structure) into this module. */
    default void copyFrom(Module source) {
        Map<String, NDArray> src = source.parameters();
        parameters().forEach((name, p) -> {
            NDArray s = src.get(name);
            if (s == null || !s.getShape().equals(p.getShape())) {
                throw new IllegalArgumentException("cannot copy parameter " + name + ": structures differ");
            }
            p.set(s.toByteBuffer());
        });
    }

    /**
     * Polyak averaging toward {@code source}: {@code theta <- (1 - tau) theta + tau theta_source}, in place, no graph; by
     * engine operations on the device for parameters that are not in host memory.
     */
    default void softUpdateFrom(Module source, double tau) {
        Map<String, NDArray> src = source.parameters();
        parameters().forEach((name, p) -> HostMemory.polyak(p, src.get(name), tau, false));
    }

    /** Turns gradient tracking on or off for every parameter (target networks are never tracked). */
    default void requireGradients(boolean on) {
        parameters().values().forEach(p -> p.setRequiresGradient(on));
    }
}
