package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A fixture file of loss cases written by a scripts/fixtures/*.py script (inputs, loss, gradients of named inputs,
 * outputs), and the check of Fulcrum's functions against it to relative 1e-12.
 */
final class LossFixtures {
    private final JsonNode fixtures;

    private LossFixtures(JsonNode fixtures) {
        this.fixtures = fixtures;
    }

    static LossFixtures load(String resource) {
        try (InputStream in = LossFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("missing test resource " + resource);
            }
            return new LossFixtures(Json.COMPACT.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode get(String name) {
        return fixtures.get(name);
    }

    double param(String c, String p) {
        return fixtures.get(c).get("params").get(p).asDouble();
    }

    /**
     * Evaluates {@code f} on the case's inputs; {@code f} returns the loss under "loss" (when the case has one) and the
     * case's outputs under their names.
     */
    void check(String name, Function<Map<String, NDArray>, Map<String, NDArray>> f) {
        JsonNode c = fixtures.get(name);
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> in = new HashMap<>();
            c.get("inputs").fields().forEachRemaining(e -> in.put(e.getKey(), tensor(m, e.getValue())));
            List<String> gradNames = c.has("grads") ? names(c.get("grads")) : List.of();
            gradNames.forEach(g -> in.get(g).setRequiresGradient(true));
            Map<String, NDArray> out;
            try (Torch.Tape tape = new Torch.Tape()) {
                out = f.apply(in);
                if (!gradNames.isEmpty()) {
                    tape.backward(out.get("loss"));
                }
            }
            if (c.has("loss")) {
                assertClose(new double[] {c.get("loss").asDouble()}, out.get("loss").toDoubleArray(), name + " loss");
            }
            for (String g : gradNames) {
                assertClose(data(c.get("grads").get(g)), in.get(g).getGradient().toDoubleArray(), name + " d/d" + g);
            }
            if (c.has("outputs")) {
                for (String o : names(c.get("outputs"))) {
                    assertClose(data(c.get("outputs").get(o)), out.get(o).toDoubleArray(), name + " output " + o);
                }
            }
        }
    }

    static Map<String, NDArray> outputs(Object... nameAndValue) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < nameAndValue.length; i += 2) {
            out.put((String) nameAndValue[i], (NDArray) nameAndValue[i + 1]);
        }
        return out;
    }

    static NDArray scalar(NDArray like, double v) {
        return like.getManager().create(v);
    }

    /** Equal to float64 rounding: relative 1e-12. */
    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    static NDArray tensor(NDManager m, JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        return m.create(data(t), new Shape(shape));
    }

    static double[] data(JsonNode t) {
        double[] d = new double[t.get("data").size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.get("data").get(i).asDouble();
        }
        return d;
    }

    private static List<String> names(JsonNode obj) {
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
