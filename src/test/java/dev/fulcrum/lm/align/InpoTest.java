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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * INPO's loss and DNO's (DPO with the previous iterate as reference) against PyTorch float64 values and gradients
 * (scripts/fixtures/nash_losses.py), finite-difference gradient checks, and a case worked by hand.
 */
class InpoTest {
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = InpoTest.class.getResourceAsStream("/fixtures/nash_losses.json")) {
            fixtures = Json.COMPACT.readTree(in);
        }
    }

    private static NDArray input(NDManager m, String fixtureCase, String name) {
        JsonNode a = fixtures.get(fixtureCase).get("inputs").get(name).get("data");
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return m.create(d, new Shape(d.length));
    }

    /** INPO's scores: reference and previous iterate (the anchor). */
    private static PairScores inpoScores(NDManager m, String c) {
        NDArray ones = m.ones(new Shape(fixtures.get(c).get("inputs").get("pc").get("data").size()), ai.djl.ndarray.types.DataType.FLOAT64);
        return new PairScores(input(m, c, "pc"), input(m, c, "pr"), input(m, c, "rc"), input(m, c, "rr"), ones, ones)
                .withAnchor(input(m, c, "ac"), input(m, c, "ar"));
    }

    /** DNO's scores: the previous iterate is the reference. */
    private static PairScores dnoScores(NDManager m) {
        NDArray ones = m.ones(new Shape(7), ai.djl.ndarray.types.DataType.FLOAT64);
        return new PairScores(input(m, "dno", "pc"), input(m, "dno", "pr"), input(m, "dno", "ac"), input(m, "dno", "ar"), ones, ones);
    }

    private static PairObjective objective(String c) {
        JsonNode p = fixtures.get(c).get("params");
        return c.equals("dno") ? new Dpo(new Dpo.Config(Dpo.Variant.SIGMOID, p.get("eta").asDouble(), 0, 0))
                : new Inpo(new Inpo.Config(p.get("eta").asDouble(), p.get("tau").asDouble()));
    }

    private static PairScores scores(NDManager m, String c) {
        return c.equals("dno") ? dnoScores(m) : inpoScores(m, c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inpo", "inpo_tau_eta", "inpo_tau_zero", "dno"})
    void matchesPyTorch(String c) {
        JsonNode expected = fixtures.get(c);
        try (NDManager m = Torch.newManager()) {
            PairScores s = scores(m, c);
            s.policyChosen().setRequiresGradient(true);
            s.policyRejected().setRequiresGradient(true);
            NDArray loss;
            try (Torch.Tape tape = new Torch.Tape()) {
                loss = objective(c).loss(s).mean();
                tape.backward(loss);
            }
            assertEquals(expected.get("loss").asDouble(), loss.getDouble(), 1e-12 * Math.max(1, Math.abs(loss.getDouble())));
            assertClose(expected.get("grads").get("pc").get("data"), s.policyChosen().getGradient().toDoubleArray(), c + " d/dpc");
            assertClose(expected.get("grads").get("pr").get("data"), s.policyRejected().getGradient().toDoubleArray(), c + " d/dpr");
            if (objective(c) instanceof Inpo inpo) {
                assertClose(expected.get("outputs").get("h").get("data"), inpo.h(s).toDoubleArray(), c + " h");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inpo", "inpo_tau_eta", "inpo_tau_zero"})
    void finiteDifferenceGradient(String c) {
        try (NDManager m = Torch.newManager()) {
            PairScores s = scores(m, c);
            PairObjective o = objective(c);
            GradCheck.Result r = GradCheck.check(Map.of("pc", s.policyChosen(), "pr", s.policyRejected()), () -> o.loss(s).mean(), 1e-6, 100);
            assertTrue(r.maxRelativeError() < 1e-6, c + ": " + r);
        }
    }

    /**
     * One pair by hand, eta = 0.5, tau = 0.25: policy ratio -1 - (-3) = 2, reference ratio -2 - (-2) = 0, previous
     * iterate ratio -1 - (-2) = 1: h = 2 - 0.5 * 0 - 0.5 * 1 = 1.5, target 1/(2 * 0.5) = 1, loss 0.25; dL/dpc = 2 (h - 1) = 1.
     */
    @Test
    void handWorkedCase() {
        try (NDManager m = Torch.newManager()) {
            PairScores s = new PairScores(m.create(new double[] {-1}), m.create(new double[] {-3}), m.create(new double[] {-2}),
                    m.create(new double[] {-2}), m.create(new double[] {2}), m.create(new double[] {3}))
                    .withAnchor(m.create(new double[] {-1}), m.create(new double[] {-2}));
            Inpo inpo = new Inpo(new Inpo.Config(0.5, 0.25));
            s.policyChosen().setRequiresGradient(true);
            NDArray loss;
            try (Torch.Tape tape = new Torch.Tape()) {
                loss = inpo.loss(s);
                tape.backward(loss.sum());
            }
            assertEquals(0.25, loss.getDouble(0), 1e-15);
            assertEquals(1.0, s.policyChosen().getGradient().getDouble(0), 1e-15);
            Map<String, Double> metrics = inpo.metrics(s);
            assertEquals(1.5, metrics.get("inpo/h"), 1e-15);
            assertEquals(1.0, metrics.get("inpo/h_target"), 1e-15);
            assertEquals(1.0, metrics.get("rewards/accuracies"), 1e-15);
        }
    }

    /** tau = eta: the previous iterate drops out and INPO is IPO on summed log-probs (IPO on averages with unit lengths). */
    @Test
    void tauEqualEtaIsIpo() {
        try (NDManager m = Torch.newManager()) {
            PairScores s = inpoScores(m, "inpo_tau_eta");
            double[] inpo = new Inpo(new Inpo.Config(0.5, 0.5)).loss(s).toDoubleArray();
            double[] ipo = new Dpo(new Dpo.Config(Dpo.Variant.IPO, 0.5, 0, 0)).loss(s).toDoubleArray();
            for (int i = 0; i < inpo.length; i++) {
                assertEquals(ipo[i], inpo[i], 1e-12);
            }
        }
    }

    @Test
    void badInputIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Inpo.Config(0.1, 0.2));
        assertTrue(e.getMessage().contains("inpo.tau"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Inpo.Config(0, 0));
        assertTrue(e.getMessage().contains("inpo.eta"), e.getMessage());
        try (NDManager m = Torch.newManager()) {
            PairScores noAnchor = new PairScores(m.create(new double[] {-1}), m.create(new double[] {-2}), m.create(new double[] {-1}),
                    m.create(new double[] {-1}), m.create(new double[] {1}), m.create(new double[] {1}));
            assertThrows(IllegalStateException.class, () -> new Inpo(Inpo.Config.defaults()).loss(noAnchor));
        }
    }

    private static void assertClose(JsonNode expected, double[] actual, String what) {
        assertEquals(expected.size(), actual.length, what);
        for (int i = 0; i < actual.length; i++) {
            double e = expected.get(i).asDouble();
            assertEquals(e, actual[i], 1e-12 * Math.max(1, Math.abs(e)), what + "[" + i + "]");
        }
    }
}
