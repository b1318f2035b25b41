package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.nets.GaussianActor;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fulcrum's loss functions against values computed independently with PyTorch autograd in float64
 * (scripts/fixtures/control_losses.py, which documents each definition and its equation).
 */
class ControlLossFixturesTest {
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = ControlLossFixturesTest.class.getResourceAsStream("/fixtures/control_losses.json")) {
            fixtures = Json.COMPACT.readTree(in);
        }
    }

    /** Evaluates {@code loss} on the case's inputs and checks the value and the gradients of {@code gradNames}. */
    private static void check(String name, Function<Map<String, NDArray>, NDArray> loss) {
        JsonNode c = fixtures.get(name);
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> in = new HashMap<>();
            c.get("inputs").fields().forEachRemaining(e -> in.put(e.getKey(), tensor(m, e.getValue())));
            List<String> gradNames = c.has("grads") ? iterable(c.get("grads")) : List.of();
            gradNames.forEach(g -> in.get(g).setRequiresGradient(true));
            NDArray out;
            try (Torch.Tape tape = new Torch.Tape()) {
                out = loss.apply(in);
                if (!gradNames.isEmpty()) {
                    tape.backward(out);
                }
            }
            if (c.has("output")) {
                assertClose(data(c.get("output")), out.toDoubleArray(), name);
                return;
            }
            assertClose(new double[] {c.get("loss").asDouble()}, out.toDoubleArray(), name + " loss");
            for (String g : gradNames) {
                assertClose(data(c.get("grads").get(g)), in.get(g).getGradient().toDoubleArray(), name + " d/d" + g);
            }
        }
    }

    @Test
    void iqlValue() {
        check("iql_value", x -> Iql.expectileLoss(x.get("q").sub(x.get("v")), param("iql_value", "tau")));
    }

    @Test
    void iqlQ() {
        check("iql_q", x -> TemporalDifference.twinLoss(x.get("q1"), x.get("q2"),
                TemporalDifference.target(x.get("r"), x.get("d"), x.get("v_next"), param("iql_q", "gamma"))));
    }

    @Test
    void awrWeights() {
        check("awr_weights", x -> Iql.advantageWeights(x.get("adv"), param("awr_weights", "beta"), param("awr_weights", "max_weight")));
    }

    @Test
    void iqlActor() {
        check("iql_actor", x -> Iql.awrLoss(Iql.advantageWeights(x.get("adv"), param("iql_actor", "beta"), 100.0),
                GaussianActor.logProb(x.get("mean"), x.get("log_std"), x.get("a"))));
    }

    @Test
    void bcGaussian() {
        check("bc_gaussian", x -> GaussianActor.logProb(x.get("mean"), x.get("log_std"), x.get("a")).mean().neg());
    }

    @Test
    void td3bcActor() {
        check("td3bc_actor", x -> Td3Bc.actorLoss(x.get("q"), x.get("pi"), x.get("a"), Td3Bc.lambda(x.get("q"),
                param("td3bc_actor", "alpha"))));
    }

    @Test
    void td3Critic() {
        check("td3_critic", x -> TemporalDifference.twinLoss(x.get("q1"), x.get("q2"), TemporalDifference.target(x.get("r"),
                x.get("d"), NDArrays.minimum(x.get("q1_next_target"), x.get("q2_next_target")), param("td3_critic", "gamma"))));
    }

    /** Equal to float64 rounding: relative 1e-12 (values reach 1e4 where the log std is clamped at -5). */
    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    private static double param(String c, String p) {
        return fixtures.get(c).get("params").get(p).asDouble();
    }

    private static NDArray tensor(NDManager m, JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        return m.create(data(t), new Shape(shape));
    }

    private static double[] data(JsonNode t) {
        double[] d = new double[t.get("data").size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.get("data").get(i).asDouble();
        }
        return d;
    }

    private static List<String> iterable(JsonNode obj) {
        List<String> names = new java.util.ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
