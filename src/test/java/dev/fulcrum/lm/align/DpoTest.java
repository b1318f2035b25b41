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
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DPO family against PyTorch float64 values and gradients (scripts/fixtures/lm_preference_losses.py), a
 * finite-difference gradient check of every variant, and a case worked by hand.
 */
class DpoTest {
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = DpoTest.class.getResourceAsStream("/fixtures/lm_preference_losses.json")) {
            fixtures = Json.COMPACT.readTree(in);
        }
    }

    private static Dpo objective(String fixtureCase) {
        JsonNode p = fixtures.get(fixtureCase).get("params");
        Dpo.Variant v = Dpo.Variant.parse(fixtureCase.replace("_smoothed", "").replace("_rpo", ""));
        return new Dpo(new Dpo.Config(v, p.get("beta").asDouble(), p.path("label_smoothing").asDouble(0.0),
                p.path("gamma").asDouble(0.0), p.path("rpo_alpha").asDouble(0.0)));
    }

    private static NDArray input(NDManager m, String name) {
        JsonNode a = fixtures.get("inputs").get(name);
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return m.create(d, new Shape(d.length));
    }

    private static PairScores scores(NDManager m) {
        return new PairScores(input(m, "pc"), input(m, "pr"), input(m, "rc"), input(m, "rr"), input(m, "nc"), input(m, "nr"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigmoid", "sigmoid_smoothed", "robust", "hinge", "ipo", "simpo", "sigmoid_rpo", "ipo_rpo"})
    void matchesPyTorch(String fixtureCase) {
        JsonNode expected = fixtures.get(fixtureCase);
        try (NDManager m = Torch.newManager()) {
            PairScores s = scores(m);
            s.policyChosen().setRequiresGradient(true);
            s.policyRejected().setRequiresGradient(true);
            NDArray loss;
            try (Torch.Tape tape = new Torch.Tape()) {
                loss = objective(fixtureCase).loss(s).mean();
                tape.backward(loss);
            }
            assertEquals(expected.get("loss").asDouble(), loss.getDouble(), 1e-12 * Math.max(1, Math.abs(loss.getDouble())));
            assertArrayClose(expected.get("grads").get("pc"), s.policyChosen().getGradient().toDoubleArray(), fixtureCase + " d/dpc");
            assertArrayClose(expected.get("grads").get("pr"), s.policyRejected().getGradient().toDoubleArray(), fixtureCase + " d/dpr");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigmoid", "sigmoid_smoothed", "robust", "hinge", "ipo", "simpo", "sigmoid_rpo", "ipo_rpo"})
    void finiteDifferenceGradient(String fixtureCase) {
        try (NDManager m = Torch.newManager()) {
            PairScores s = scores(m);
            Dpo dpo = objective(fixtureCase);
            GradCheck.Result r = GradCheck.check(Map.of("pc", s.policyChosen(), "pr", s.policyRejected()),
                    () -> dpo.loss(s).mean(), 1e-6, 100);
            assertTrue(r.maxRelativeError() < 1e-6, fixtureCase + ": " + r);
        }
    }

    /** One pair by hand: h(yw) = -1 - (-1) = 0, h(yl) = -2 - (-1) = -1, z = 1; beta 1: loss = log(1 + e^-1). */
    @Test
    void handWorkedSigmoidCase() {
        try (NDManager m = Torch.newManager()) {
            PairScores s = new PairScores(m.create(new double[] {-1}), m.create(new double[] {-2}), m.create(new double[] {-1}),
                    m.create(new double[] {-1}), m.create(new double[] {3}), m.create(new double[] {4}));
            Dpo dpo = new Dpo(new Dpo.Config(Dpo.Variant.SIGMOID, 1.0, 0.0, 0.0));
            assertEquals(Math.log(1 + Math.exp(-1)), dpo.loss(s).getDouble(0), 1e-15);
            Map<String, Double> metrics = dpo.metrics(s);
            assertEquals(0.0, metrics.get("rewards/chosen"), 1e-15);
            assertEquals(-1.0, metrics.get("rewards/rejected"), 1e-15);
            assertEquals(1.0, metrics.get("rewards/margins"), 1e-15);
            assertEquals(1.0, metrics.get("rewards/accuracies"), 1e-15);
            // hinge: max(0, 1 - 1) = 0; IPO on averages: z = (0/3) - (-1/4) = 0.25, (0.25 - 0.5)^2
            assertEquals(0.0, new Dpo(new Dpo.Config(Dpo.Variant.HINGE, 1.0, 0, 0)).loss(s).getDouble(0), 1e-15);
            assertEquals(0.0625, new Dpo(new Dpo.Config(Dpo.Variant.IPO, 1.0, 0, 0)).loss(s).getDouble(0), 1e-15);
        }
    }

    /**
     * RPO by hand on the pair above: the sigmoid loss log(1 + e^-1) plus a * (-lp_pi(yw)/|yw|) = 0.5 * (1/3); its gradient
     * in lp_pi(yw) is -sigma(-1) (DPO, beta 1) - 0.5/3 (the NLL), and in lp_pi(yl) sigma(-1) (the NLL does not see yl).
     */
    @Test
    void handWorkedRpoCase() {
        try (NDManager m = Torch.newManager()) {
            PairScores s = new PairScores(m.create(new double[] {-1}), m.create(new double[] {-2}), m.create(new double[] {-1}),
                    m.create(new double[] {-1}), m.create(new double[] {3}), m.create(new double[] {4}));
            s.policyChosen().setRequiresGradient(true);
            s.policyRejected().setRequiresGradient(true);
            Dpo rpo = new Dpo(new Dpo.Config(Dpo.Variant.SIGMOID, 1.0, 0.0, 0.0, 0.5));
            NDArray loss;
            try (Torch.Tape tape = new Torch.Tape()) {
                loss = rpo.loss(s).mean();
                tape.backward(loss);
            }
            double sigmaMinus1 = 1 / (1 + Math.exp(1));
            assertEquals(Math.log(1 + Math.exp(-1)) + 0.5 / 3, loss.getDouble(), 1e-15);
            assertEquals(-sigmaMinus1 - 0.5 / 3, s.policyChosen().getGradient().getDouble(0), 1e-15);
            assertEquals(sigmaMinus1, s.policyRejected().getGradient().getDouble(0), 1e-15);
            assertEquals(1.0 / 3, rpo.metrics(s).get("nll_loss"), 1e-15);
            assertTrue(!new Dpo(new Dpo.Config(Dpo.Variant.SIGMOID, 1.0, 0.0, 0.0)).metrics(s).containsKey("nll_loss"));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dpo.Config(Dpo.Variant.SIGMOID, 0.1, 0.0, 0.0, -1));
        assertTrue(e.getMessage().contains("dpo.rpoAlpha"), e.getMessage());
    }

    @Test
    void badConfigNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dpo.Config(Dpo.Variant.SIGMOID, 0.0, 0.0, 0.0));
        assertTrue(e.getMessage().contains("dpo.beta"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dpo.Variant.parse("kto"));
        assertTrue(e.getMessage().contains("kto"), e.getMessage());
        try (NDManager m = Torch.newManager()) {
            PairScores noReference = new PairScores(m.create(new double[] {-1}), m.create(new double[] {-2}), null, null,
                    m.create(new double[] {1}), m.create(new double[] {1}));
            assertThrows(IllegalStateException.class, () -> new Dpo(Dpo.Config.defaults()).loss(noReference));
        }
    }

    private static void assertArrayClose(JsonNode expected, double[] actual, String what) {
        assertEquals(expected.size(), actual.length, what);
        for (int i = 0; i < actual.length; i++) {
            double e = expected.get(i).asDouble();
            assertEquals(e, actual[i], 1e-12 * Math.max(1, Math.abs(e)), what + "[" + i + "]");
        }
    }
}
