package dev.fulcrum.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Adam with decoupled weight decay (AdamW) against torch.optim.AdamW's float64 trajectory
 * (scripts/fixtures/adamw.py), and a first step worked by hand.
 */
class AdamWTest {

    private static double[] flat(JsonNode rows) {
        return java.util.stream.StreamSupport.stream(rows.spliterator(), false)
                .flatMapToDouble(r -> r.isArray() ? java.util.stream.StreamSupport.stream(r.spliterator(), false)
                        .mapToDouble(JsonNode::asDouble) : java.util.stream.DoubleStream.of(r.asDouble())).toArray();
    }

    @Test
    void matchesTorchAdamWWithALearningRateSchedule() throws Exception {
        JsonNode f;
        try (InputStream in = AdamWTest.class.getResourceAsStream("/fixtures/adamw.json")) {
            f = Json.COMPACT.readTree(in);
        }
        JsonNode in = f.get("inputs");
        try (NDManager m = Torch.newManager()) {
            NDArray w = m.create(flat(in.get("w0")), new Shape(2, 3));
            NDArray b = m.create(flat(in.get("b0")));
            NDArray cw = m.create(flat(in.get("cw")), new Shape(2, 3));
            NDArray cb = m.create(flat(in.get("cb")));
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("b", b);
            params.values().forEach(p -> p.setRequiresGradient(true));
            Adam adam = new Adam(m, params, 0.01, in.get("beta1").asDouble(), in.get("beta2").asDouble(), in.get("eps").asDouble())
                    .decoupledWeightDecay(in.get("weight_decay").asDouble(), name -> params.get(name).getShape().dimension() >= 2);
            assertEquals(0.1, adam.weightDecay("w"));
            assertEquals(0.0, adam.weightDecay("b"));
            for (int t = 0; t < in.get("lrs").size(); t++) {
                adam.setLearningRate(in.get("lrs").get(t).asDouble());
                adam.zeroGradients();
                try (Torch.Tape tape = new Torch.Tape()) {
                    tape.backward(w.square().mul(cw).sum().add(b.pow(3).mul(cb).sum()));
                }
                adam.step();
                JsonNode expected = f.get("steps").get(t);
                assertArrayEquals(flat(expected.get("w")), w.toDoubleArray(), 1e-12, "w after step " + (t + 1));
                assertArrayEquals(flat(expected.get("b")), b.toDoubleArray(), 1e-12, "b after step " + (t + 1));
            }
        }
    }

    /**
     * First step by hand: the bias-corrected moments are g and g^2, so the Adam part moves each weight by lr g/(|g| + eps);
     * the decay first shrinks the decayed weight by the factor (1 - lr lambda), here 1 - 0.1 * 0.5 = 0.95.
     */
    @Test
    void firstStepByHand() {
        try (NDManager m = Torch.newManager()) {
            NDArray w = m.create(new double[] {2.0, -4.0}, new Shape(1, 2));
            NDArray b = m.create(new double[] {3.0});
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            Adam adam = new Adam(m, Map.of("w", w, "b", b), 0.1).decoupledWeightDecay(0.5, "w"::equals);
            adam.zeroGradients();
            try (Torch.Tape tape = new Torch.Tape()) {
                // dL/dw = (1, -1) * 3, dL/db = 7
                tape.backward(w.mul(m.create(new double[] {3.0, -3.0}, new Shape(1, 2))).sum().add(b.mul(7.0).sum()));
            }
            adam.step();
            double step = 0.1 * 3 / (3 + 1e-8);
            assertArrayEquals(new double[] {2.0 * 0.95 - step, -4.0 * 0.95 + step}, w.toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {3.0 - 0.1 * 7 / (7 + 1e-8)}, b.toDoubleArray(), 1e-15, "no decay on b");
        }
    }

    @Test
    void negativeDecayIsRefused() {
        try (NDManager m = Torch.newManager()) {
            NDArray w = m.create(new double[] {1.0});
            Adam adam = new Adam(m, Map.of("w", w), 0.1);
            assertThrows(IllegalArgumentException.class, () -> adam.decoupledWeightDecay(-0.1, n -> true));
        }
    }
}
