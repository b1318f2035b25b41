package dev.fulcrum.lm.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SRPO's loss against PyTorch float64 values and gradients (scripts/fixtures/srpo_loss.py), a finite-difference gradient
 * check, and a case worked by hand; and the revision prompt's layout.
 */
class SrpoTest {
    private static final List<String> KEYS = List.of("w", "l", "w_l", "l_l", "w_w", "l_w");
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = SrpoTest.class.getResourceAsStream("/fixtures/srpo_loss.json")) {
            fixtures = Json.COMPACT.readTree(in);
        }
    }

    private static Srpo objective(String c) {
        JsonNode p = fixtures.get(c).get("params");
        return new Srpo(new Srpo.Config(p.get("alpha").asDouble(), p.get("beta").asDouble()));
    }

    private static NDArray tensor(NDManager m, JsonNode t) {
        JsonNode data = t.get("data");
        double[] d = new double[data.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = data.get(i).asDouble();
        }
        return m.create(d, new Shape(d.length));
    }

    private static Map<String, NDArray> inputs(NDManager m, String c) {
        Map<String, NDArray> in = new LinkedHashMap<>();
        fixtures.get(c).get("inputs").fields().forEachRemaining(e -> in.put(e.getKey(), tensor(m, e.getValue())));
        return in;
    }

    private static RevisionLogProbs side(Map<String, NDArray> in, String prefix) {
        return new RevisionLogProbs(in.get(prefix + "w"), in.get(prefix + "l"), in.get(prefix + "w_l"), in.get(prefix + "l_l"),
                in.get(prefix + "w_w"), in.get(prefix + "l_w"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "generative_only", "improvement_only", "strong"})
    void matchesPyTorch(String c) {
        JsonNode expected = fixtures.get(c);
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> in = inputs(m, c);
            KEYS.forEach(k -> in.get("p_" + k).setRequiresGradient(true));
            Srpo srpo = objective(c);
            NDArray loss;
            Srpo.Terms terms;
            try (Torch.Tape tape = new Torch.Tape()) {
                terms = srpo.terms(side(in, "p_"), side(in, "r_"));
                loss = srpo.loss(side(in, "p_"), side(in, "r_")).mean();
                tape.backward(loss);
            }
            assertClose(new double[] {expected.get("loss").asDouble()}, new double[] {loss.getDouble()}, c + " loss");
            JsonNode out = expected.get("outputs");
            assertClose(out.get("generative"), terms.generative(), c + " G");
            assertClose(out.get("improve_rejected"), terms.improveRejected(), c + " S_rej");
            assertClose(out.get("keep_chosen"), terms.keepChosen(), c + " S_cho");
            for (String k : KEYS) {
                assertClose(expected.get("grads").get("p_" + k), in.get("p_" + k).getGradient(), c + " d/dp_" + k);
                assertEquals(null, in.get("r_" + k).hasGradient() ? "reference " + k + " got a gradient" : null);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "strong"})
    void finiteDifferenceGradient(String c) {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> in = inputs(m, c);
            Map<String, NDArray> policy = new LinkedHashMap<>();
            KEYS.forEach(k -> policy.put("p_" + k, in.get("p_" + k)));
            Srpo srpo = objective(c);
            GradCheck.Result r = GradCheck.check(policy, () -> srpo.loss(side(in, "p_"), side(in, "r_")).mean(), 1e-6, 100);
            assertTrue(r.maxRelativeError() < 1e-6, c + ": " + r);
        }
    }

    /**
     * One pair by hand, beta 0.5, alpha 0.8, reference all zero so h = policy: h(yw|x) = -1, h(yl|x) = -3,
     * h(yw|x,yl) = -2, h(yl|x,yl) = -2.5, h(yw|x,yw) = -1, h(yl|x,yw) = -4.
     * S_rej = (1/2 - 0.5 (-2 + 2.5))^2 = 0.0625; S_cho = (1/2 - 0.5 (-1 + 4))^2 = 1; G = (0.5 (-2 - 1 + 4 + 3) - 1)^2 = 1;
     * L = 0.2 * 1 + 0.8 * 1.0625 = 1.05.
     */
    @Test
    void handWorkedCase() {
        try (NDManager m = Torch.newManager()) {
            RevisionLogProbs policy = new RevisionLogProbs(m.create(new double[] {-1}), m.create(new double[] {-3}),
                    m.create(new double[] {-2}), m.create(new double[] {-2.5}), m.create(new double[] {-1}), m.create(new double[] {-4}));
            NDArray z = m.zeros(new Shape(1), ai.djl.ndarray.types.DataType.FLOAT64);
            RevisionLogProbs reference = new RevisionLogProbs(z, z, z, z, z, z);
            Srpo srpo = new Srpo(new Srpo.Config(0.8, 0.5));
            Srpo.Terms t = srpo.terms(policy, reference);
            assertEquals(0.0625, t.improveRejected().getDouble(0), 1e-15);
            assertEquals(1.0, t.keepChosen().getDouble(0), 1e-15);
            assertEquals(1.0, t.generative().getDouble(0), 1e-15);
            assertEquals(1.05, srpo.loss(policy, reference).getDouble(0), 1e-15);
            Map<String, Double> metrics = srpo.metrics(policy, reference);
            assertEquals(1.0, metrics.get("rewards_margin"), 1e-15);           // 0.5 * (-1 - -3)
            assertEquals(1.0, metrics.get("revision_accuracy_rejected"), 0);   // -2 > -2.5
            assertEquals(1.0, metrics.get("revision_accuracy_chosen"), 0);     // -1 > -4
        }
    }

    @Test
    void badConfigNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Srpo.Config(1.5, 0.1));
        assertTrue(e.getMessage().contains("srpo.alpha"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Srpo.Config(0.5, 0));
        assertTrue(e.getMessage().contains("srpo.beta"), e.getMessage());
    }

    @Test
    void revisionPromptLayout() {
        assertEquals("sort: 3 1 2\nDraft: 1 3 2\nRevised:\n", RevisionPrompt.revise("sort: 3 1 2\n", " 1 3 2 "));
        assertEquals("reverse: ab\nDraft: b a\nRevised:\n", RevisionPrompt.revise("reverse: ab", "b\na"));
        // a revision of a revision keeps the task prompt and only the latest draft
        String once = RevisionPrompt.revise("p\n", "y0");
        assertTrue(once.startsWith("p\nDraft: y0"));
    }

    private static void assertClose(JsonNode expected, NDArray actual, String what) {
        double[] e = new double[expected.get("data").size()];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected.get("data").get(i).asDouble();
        }
        assertClose(e, actual.toDoubleArray(), what);
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }
}
