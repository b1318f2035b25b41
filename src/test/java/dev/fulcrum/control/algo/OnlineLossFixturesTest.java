package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.nets.GaussianActor;
import dev.fulcrum.control.nets.TanhGaussianActor;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SAC's and AWAC's losses against values computed independently with PyTorch autograd in float64
 * (scripts/fixtures/awac_sac_losses.py, which documents each definition). Each case checks the loss, the gradients of
 * the named inputs and any intermediate outputs (the squashed action and its log-density, the critic target, the
 * advantage weights), to relative 1e-12.
 */
class OnlineLossFixturesTest {
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = OnlineLossFixturesTest.class.getResourceAsStream("/fixtures/awac_sac_losses.json")) {
            fixtures = Json.COMPACT.readTree(in);
        }
    }

    /**
     * Evaluates {@code f} on the case's inputs; {@code f} returns the loss under "loss" (when the case has one) and the
     * case's outputs under their names.
     */
    private static void check(String name, Function<Map<String, NDArray>, Map<String, NDArray>> f) {
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

    @Test
    void sacTanhGaussian() {
        NDArrayFactory w = m -> tensor(m, fixtures.get("sac_tanh_gaussian").get("params").get("w"));
        check("sac_tanh_gaussian", x -> {
            TanhGaussianActor.Sample s = TanhGaussianActor.sample(x.get("mean"), x.get("log_std"), x.get("eps"));
            NDArray loss = s.logProb().sum().add(s.action().mul(w.make(x.get("mean").getManager())).sum());
            return outputs("loss", loss, "action", s.action(), "log_prob", s.logProb());
        });
    }

    @Test
    void sacCritic() {
        double alpha = param("sac_critic", "alpha"), gamma = param("sac_critic", "gamma");
        check("sac_critic", x -> {
            NDArray y = Sac.criticTarget(x.get("r"), x.get("d"), x.get("q1_next_target"), x.get("q2_next_target"),
                    x.get("next_log_prob"), scalar(x.get("r"), alpha), gamma);
            return outputs("loss", TemporalDifference.twinLoss(x.get("q1"), x.get("q2"), y), "target", y);
        });
    }

    @Test
    void sacActor() {
        double alpha = param("sac_actor", "alpha");
        check("sac_actor", x -> outputs("loss", Sac.actorLoss(x.get("q1_pi"), x.get("q2_pi"), x.get("log_prob"),
                scalar(x.get("log_prob"), alpha))));
    }

    @Test
    void sacTemperature() {
        double target = param("sac_temperature", "target_entropy");
        check("sac_temperature", x -> outputs("loss", Sac.temperatureLoss(x.get("log_alpha"), x.get("log_prob"), target)));
    }

    @Test
    void awacCritic() {
        double gamma = param("awac_critic", "gamma");
        check("awac_critic", x -> outputs("loss", TemporalDifference.twinLoss(x.get("q1"), x.get("q2"),
                TemporalDifference.target(x.get("r"), x.get("d"),
                        NDArrays.minimum(x.get("q1_next_target"), x.get("q2_next_target")), gamma))));
    }

    @Test
    void awacWeights() {
        double lambda = param("awac_weights", "lambda"), max = param("awac_weights", "max_weight");
        check("awac_weights", x -> outputs("weights", Awac.advantageWeights(x.get("q_data"), x.get("q_pi"), lambda, max)));
    }

    @Test
    void awacActor() {
        double lambda = param("awac_actor", "lambda"), max = param("awac_actor", "max_weight");
        check("awac_actor", x -> {
            NDArray weights = Awac.advantageWeights(x.get("q_data"), x.get("q_pi"), lambda, max);
            NDArray loss = Iql.awrLoss(weights, GaussianActor.logProb(x.get("mean"), x.get("log_std"), x.get("a")));
            return outputs("loss", loss, "weights", weights);
        });
    }

    @FunctionalInterface
    private interface NDArrayFactory {
        NDArray make(NDManager m);
    }

    private static Map<String, NDArray> outputs(Object... nameAndValue) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < nameAndValue.length; i += 2) {
            out.put((String) nameAndValue[i], (NDArray) nameAndValue[i + 1]);
        }
        return out;
    }

    private static NDArray scalar(NDArray like, double v) {
        return like.getManager().create(v);
    }

    /** Equal to float64 rounding: relative 1e-12. */
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

    private static List<String> names(JsonNode obj) {
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
