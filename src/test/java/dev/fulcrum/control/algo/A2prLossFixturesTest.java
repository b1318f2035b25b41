package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.nets.ActionVae;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A2PR's losses against values and gradients computed with PyTorch autograd in float64 from a transcription of the
 * authors' code (scripts/fixtures/a2pr_losses.py documents each case and the rows it exercises).
 */
class A2prLossFixturesTest {
    private static JsonNode fixtures;

    /** What a case evaluates to: the scalar loss, named intermediate outputs, and the tensors whose gradients to compare. */
    private record Evaluated(NDArray loss, Map<String, NDArray> outputs, Map<String, NDArray> gradientOf) {
    }

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = A2prLossFixturesTest.class.getResourceAsStream("/fixtures/a2pr_losses.json")) {
            assertNotNull(in, "fixture a2pr_losses.json is missing (run scripts/fixtures/a2pr_losses.py)");
            fixtures = Json.COMPACT.readTree(in);
        }
    }

    @Test
    void valueTargetAndLoss() {
        double gamma = param("a2pr_value", "gamma");
        check("a2pr_value", (m, x) -> {
            NDArray y = TemporalDifference.target(x.get("r"), x.get("d"), NDArrays.minimum(x.get("q1t_next"), x.get("q2t_next")), gamma);
            NDArray yOnline = TemporalDifference.target(x.get("r"), x.get("d"), NDArrays.minimum(x.get("q1_next"), x.get("q2_next")),
                    gamma);
            NDArray target = A2pr.valueTarget(y, yOnline);
            return new Evaluated(A2pr.valueLoss(x.get("v"), target), Map.of("value_target", target), x);
        });
    }

    @Test
    void vaeLossWithAdvantageFilter() {
        double vaeWeight = param("a2pr_vae", "vae_weight");
        check("a2pr_vae", (m, x) -> {
            NDArray filter = A2pr.advantageFilter(x.get("q_data"), x.get("v"));
            NDArray loss = A2pr.vaeLoss(x.get("recon"), x.get("a"), x.get("mean"), ActionVae.clampLogStd(x.get("log_std_raw")),
                    filter, vaeWeight);
            return new Evaluated(loss, Map.of("filter", filter), x);
        });
    }

    @Test
    void actorLossWithAdvantageGuidedTarget() {
        double alpha = param("a2pr_actor", "alpha"), mask = param("a2pr_actor", "mask");
        check("a2pr_actor", (m, x) -> {
            NDArray v = x.get("v");
            NDArray advantageReconstruction = x.get("q_recon").sub(v), advantageData = x.get("q_data").sub(v);
            NDArray target = A2pr.targetAction(x.get("recon_pi"), x.get("a"), advantageReconstruction, advantageData);
            NDArray weight = A2pr.regularisationWeight(x.get("q_recon"), x.get("q_data"), v, mask);
            NDArray reg = A2pr.regulariser(x.get("pi"), target, weight);
            NDArray loss = A2pr.actorLoss(x.get("q_pi"), reg, Td3Bc.lambda(x.get("q_pi"), alpha));
            Map<String, NDArray> out = new LinkedHashMap<>();
            out.put("target", target);
            out.put("weight", weight);
            out.put("uses_reconstruction", A2pr.reconstructionChosen(advantageReconstruction, advantageData));
            out.put("regulariser", reg.reshape(1));
            return new Evaluated(loss, out, x);
        });
    }

    @Test
    void vaeForwardPass() {
        JsonNode c = fixtures.get("a2pr_vae_forward");
        int latent = c.get("params").get("latent").asInt(), hidden = c.get("params").get("hidden").asInt();
        check("a2pr_vae_forward", (m, x) -> {
            int s = (int) x.get("s").getShape().get(1), a = (int) x.get("a").getShape().get(1);
            ActionVae vae = new ActionVae(m, s, a, latent, hidden, DataType.FLOAT64, new Rng(0));
            Map<String, String> names = Map.ofEntries(Map.entry("encoder.0", "e1"), Map.entry("encoder.1", "e2"),
                    Map.entry("encoder.2", "head"), Map.entry("decoder.0", "d1"), Map.entry("decoder.1", "d2"),
                    Map.entry("decoder.2", "d3"));
            Map<String, NDArray> byFixtureName = new HashMap<>();
            vae.parameters().forEach((name, p) -> {
                int dot = name.lastIndexOf('.');
                String fixtureName = names.get(name.substring(0, dot)) + (name.endsWith("weight") ? "_w" : "_b");
                p.set(x.get(fixtureName).toDoubleArray());
                byFixtureName.put(fixtureName, p);
            });
            ActionVae.Pass pass = vae.forward(x.get("s"), x.get("a"), x.get("noise"));
            NDArray loss = pass.reconstruction().square().sum().add(pass.mean().square().sum());
            return new Evaluated(loss, Map.of("reconstruction", pass.reconstruction(), "mean", pass.mean(),
                    "log_std", pass.logStd()), byFixtureName);
        });
    }

    /**
     * Evaluates {@code fn} on the case's inputs under a tape (inputs named in "grads" require gradients), back-propagates
     * the loss, and compares the loss, the gradients of {@code gradientOf}'s tensors and the outputs.
     */
    private static void check(String name, BiFunction<NDManager, Map<String, NDArray>, Evaluated> fn) {
        JsonNode c = fixtures.get(name);
        assertNotNull(c, "fixture case " + name);
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> in = new HashMap<>();
            c.get("inputs").fields().forEachRemaining(e -> in.put(e.getKey(), tensor(m, e.getValue())));
            c.get("grads").fieldNames().forEachRemaining(g -> in.get(g).setRequiresGradient(true));
            Evaluated r;
            try (Torch.Tape tape = new Torch.Tape()) {
                r = fn.apply(m, in);
                tape.backward(r.loss());
            }
            assertClose(new double[] {c.get("loss").asDouble()}, r.loss().toDoubleArray(), name + " loss");
            Evaluated result = r;
            c.get("grads").fields().forEachRemaining(g -> assertClose(data(g.getValue()),
                    result.gradientOf().get(g.getKey()).getGradient().toDoubleArray(), name + " d/d" + g.getKey()));
            c.get("outputs").fields().forEachRemaining(o -> {
                NDArray actual = result.outputs().get(o.getKey());
                assertNotNull(actual, name + " output " + o.getKey());
                assertEquals(shape(o.getValue()), actual.getShape(), name + " " + o.getKey() + " shape");
                assertClose(data(o.getValue()), actual.toType(DataType.FLOAT64, false).toDoubleArray(), name + " " + o.getKey());
            });
        }
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

    private static Shape shape(JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        return new Shape(shape);
    }

    private static NDArray tensor(NDManager m, JsonNode t) {
        return m.create(data(t), shape(t));
    }

    private static double[] data(JsonNode t) {
        double[] d = new double[t.get("data").size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.get("data").get(i).asDouble();
        }
        return d;
    }
}
