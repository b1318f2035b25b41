package dev.fulcrum.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.rng.Rng;
import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A resumable snapshot: tensors (weights, target networks, optimiser moments, normalisers) and string metadata (step,
 * optimiser step counts, RNG states as JSON). Stored as one safetensors file, written atomically.
 */
public record Checkpoint(long step, Map<String, NDArray> tensors, Map<String, String> metadata) {
    public static final String STEP = "fulcrum.step";
    private static final String RNG_PREFIX = "fulcrum.rng.";

    public void save(Path file) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(STEP, Long.toString(step));
        Safetensors.write(file, tensors, meta);
    }

    /** Loads a checkpoint; its tensors are created in {@code manager} (copy them into live parameters, then close). */
    public static Checkpoint load(Path file, NDManager manager) {
        Safetensors.Contents c = Safetensors.read(file);
        String step = c.metadata().get(STEP);
        if (step == null) {
            throw new IllegalArgumentException(file + ": not a Fulcrum checkpoint (no " + STEP + " in its metadata)");
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        c.tensors().forEach((k, t) -> tensors.put(k, t.toNDArray(manager)));
        return new Checkpoint(Long.parseLong(step), tensors, c.metadata());
    }

    /** Stores an RNG state under a name in checkpoint metadata. */
    public static void putRng(Map<String, String> metadata, String name, Rng rng) {
        metadata.put(RNG_PREFIX + name, Json.line(rng.state()));
    }

    /** Restores the named RNG from checkpoint metadata. */
    public void restoreRng(String name, Rng rng) {
        String json = metadata.get(RNG_PREFIX + name);
        if (json == null) {
            throw new IllegalArgumentException("checkpoint has no RNG state '" + name + "'");
        }
        try {
            rng.restore(Json.COMPACT.readValue(json, new TypeReference<Rng.State>() { }));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("checkpoint RNG state '" + name + "' is unreadable: " + e.getMessage(), e);
        }
    }

    /** Tensors whose names start with {@code prefix + "."}, with the prefix removed. */
    public Map<String, NDArray> group(String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        String p = prefix + ".";
        tensors.forEach((k, v) -> {
            if (k.startsWith(p)) {
                out.put(k.substring(p.length()), v);
            }
        });
        return out;
    }

    /**
     * Copies the tensors of group {@code prefix} into {@code parameters} (same names), refusing a missing tensor or one of
     * another shape or type; {@code what} names the network in the error ("model", "encoder", ...).
     */
    public void restoreParameters(String prefix, Map<String, NDArray> parameters, String what) {
        restore(group(prefix), parameters, what);
    }

    /** As {@link #restoreParameters(String, Map, String)} for tensors saved under their own names (no group prefix). */
    public void restoreParameters(Map<String, NDArray> parameters, String what) {
        restore(tensors, parameters, what);
    }

    private static void restore(Map<String, NDArray> saved, Map<String, NDArray> parameters, String what) {
        parameters.forEach((name, p) -> {
            NDArray s = saved.get(name);
            if (s == null || !s.getShape().equals(p.getShape()) || s.getDataType() != p.getDataType()) {
                throw new IllegalArgumentException("checkpoint does not match the " + what + ": parameter " + name
                        + (s == null ? " is missing" : " is " + s.getShape() + " " + s.getDataType()));
            }
            p.set(s.toByteBuffer());
        });
    }
}
