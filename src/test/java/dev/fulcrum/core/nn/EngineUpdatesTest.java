package dev.fulcrum.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The device path of the parameter updates ({@link EngineUpdates}: in-place engine operations, as on a GPU) against the
 * default host-memory path, both run on the CPU: Adam with and without decoupled weight decay, global-norm clipping,
 * Polyak averaging, and optimiser checkpoints written by one path and restored into the other.
 */
class EngineUpdatesTest {
    private static final double LR = 0.05;

    /** Relative tolerance of the two paths: float32 within 1e-6, float64 within 1e-12. */
    private static double tolerance(DataType type) {
        return type == DataType.FLOAT32 ? 1e-6 : 1e-12;
    }

    private static void assertClose(double[] expected, double[] actual, DataType type, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1e-3, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tolerance(type) * scale, what + " [" + i + "]");
        }
    }

    private static double[] values(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    private static NDArray tensor(NDManager m, DataType type, double[] v, Shape shape) {
        NDArray a = m.create(v, shape);
        return type == DataType.FLOAT64 ? a : a.toType(type, false);
    }

    /** A 3x4 matrix "w" (weight decay applies) and a bias "b" (no decay), the same values for every seed-0 call. */
    private static Map<String, NDArray> parameters(NDManager m, DataType type) {
        Rng rng = new Rng(7);
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("w", tensor(m, type, gaussians(rng, 12), new Shape(3, 4)));
        p.put("b", tensor(m, type, gaussians(rng, 4), new Shape(4)));
        p.values().forEach(x -> x.setRequiresGradient(true));
        return p;
    }

    private static double[] gaussians(Rng rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.gaussian();
        }
        return v;
    }

    /** Accumulates the gradient of step {@code t}'s loss: sum(C_t w^2) + sum(D_t b^3), C and D drawn from {@code t}. */
    private static void backward(NDManager m, Map<String, NDArray> p, int t) {
        Rng rng = new Rng(100 + t);
        DataType type = p.get("w").getDataType();
        try (NDScope ignored = new NDScope(); NDManager tmp = m.newSubManager(); Torch.Tape tape = new Torch.Tape()) {
            NDArray c = tensor(tmp, type, gaussians(rng, 12), new Shape(3, 4));
            NDArray d = tensor(tmp, type, gaussians(rng, 4), new Shape(4));
            tape.backward(p.get("w").square().mul(c).sum().add(p.get("b").pow(3).mul(d).sum()));
        }
    }

    private static Adam adam(NDManager m, Map<String, NDArray> p, boolean engine) {
        Adam a = new Adam(m, p, LR).decoupledWeightDecay(0.1, "w"::equals);
        return engine ? a.usingEngineOps() : a;
    }

    /** Steps {@code from} (inclusive) to {@code to} (exclusive), with a changing learning rate. */
    private static void run(NDManager m, Map<String, NDArray> p, Adam adam, int from, int to) {
        for (int t = from; t < to; t++) {
            adam.setLearningRate(LR * (1 - 0.1 * t));
            adam.zeroGradients();
            backward(m, p, t);
            adam.step();
        }
    }

    private static void assertSameState(Map<String, NDArray> expected, Map<String, NDArray> actual, DataType type, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((k, v) -> {
            assertEquals(v.getDataType(), actual.get(k).getDataType(), what + " " + k);
            assertEquals(v.getShape(), actual.get(k).getShape(), what + " " + k);
            assertClose(values(v), values(actual.get(k)), type, what + " " + k);
        });
    }

    @Test
    void adamOnEngineOpsMatchesTheHostPath() {
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
            try (NDManager m = Torch.newManager()) {
                Map<String, NDArray> host = parameters(m, type), engine = parameters(m, type);
                Adam hostAdam = adam(m, host, false), engineAdam = adam(m, engine, true);
                assertFalse(hostAdam.usesEngineOps("w"));
                assertTrue(engineAdam.usesEngineOps("w") && engineAdam.usesEngineOps("b"));
                for (int t = 0; t < 6; t++) {
                    run(m, host, hostAdam, t, t + 1);
                    run(m, engine, engineAdam, t, t + 1);
                    for (String name : host.keySet()) {
                        assertClose(values(host.get(name)), values(engine.get(name)), type, type + " " + name + " after step " + (t + 1));
                    }
                }
                double[] start = values(parameters(m, type).get("w"));
                assertTrue(Math.abs(start[0] - values(host.get("w"))[0]) > 1e-3, "the parameters moved");
                try (NDManager a = m.newSubManager(); NDManager b = m.newSubManager()) {
                    assertSameState(hostAdam.stateTensors(a), engineAdam.stateTensors(b), type, type + " state");
                }
            }
        }
    }

    /**
     * A checkpoint of the host path restores into the engine path and the other way round; both continue exactly as an
     * uninterrupted host run (3 + 3 steps).
     */
    @Test
    void optimiserCheckpointsRestoreAcrossPaths() {
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
            for (boolean firstOnEngine : new boolean[] {false, true}) {
                try (NDManager m = Torch.newManager()) {
                    Map<String, NDArray> reference = parameters(m, type);
                    run(m, reference, adam(m, reference, false), 0, 6);

                    Map<String, NDArray> first = parameters(m, type);
                    Adam before = adam(m, first, firstOnEngine);
                    run(m, first, before, 0, 3);
                    Map<String, NDArray> second = parameters(m, type);
                    second.forEach((k, v) -> v.set(type == DataType.FLOAT32 ? FloatBuffer.wrap(first.get(k).toFloatArray())
                            : DoubleBuffer.wrap(first.get(k).toDoubleArray())));
                    Adam after = adam(m, second, !firstOnEngine);
                    try (NDManager saved = Torch.newManager()) {
                        after.restore(before.stateTensors(saved), before.steps());
                    }
                    assertEquals(3, after.steps());
                    run(m, second, after, 3, 6);
                    String what = type + (firstOnEngine ? " engine->host" : " host->engine");
                    for (String name : reference.keySet()) {
                        assertClose(values(reference.get(name)), values(second.get(name)), type, what + " " + name);
                    }
                }
            }
        }
    }

    /** The engine path leaves no tensor behind: AdamW steps, clipping and Polyak keep the live-tensor count flat. */
    @Test
    void theEnginePathDoesNotGrowTheLiveTensors() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> p = parameters(m, DataType.FLOAT32), target = parameters(m, DataType.FLOAT32);
            target.values().forEach(x -> x.setRequiresGradient(false));
            Adam adam = adam(m, p, true);
            Runnable step = () -> {
                adam.zeroGradients();
                backward(m, p, 0);
                GradientClipping.clip(p.values(), 0.1, true);
                adam.step();
                p.forEach((k, v) -> HostMemory.polyak(target.get(k), v, 0.01, true));
            };
            step.run();
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 20; i++) {
                step.run();
            }
            assertEquals(before, m.getManagedArrays().size(), "live tensors after 20 more steps");
        }
    }

    /** Two parameters with gradients (3, 4) and (12): global norm 13; one without a gradient. */
    private static List<NDArray> withGradients(NDManager m, DataType type, double gradientScale) {
        NDArray a = tensor(m, type, new double[] {1, 1}, new Shape(2));
        NDArray b = tensor(m, type, new double[] {1}, new Shape(1));
        NDArray unused = tensor(m, type, new double[] {5}, new Shape(1));
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (NDManager tmp = m.newSubManager(); Torch.Tape tape = new Torch.Tape()) {
            NDArray ca = tensor(tmp, type, new double[] {3 * gradientScale, 4 * gradientScale}, new Shape(2));
            NDArray cb = tensor(tmp, type, new double[] {12 * gradientScale}, new Shape(1));
            tape.backward(a.mul(ca).sum().add(b.mul(cb).sum()));
        }
        return List.of(a, b, unused);
    }

    @Test
    void clippingOnEngineOpsMatchesTheHostPath() {
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
            for (double maxNorm : new double[] {2.0, 20.0}) { // clipped (the norm is 13/3), and not clipped
                try (NDManager m = Torch.newManager()) {
                    double s = 1.0 / 3; // gradients that are not exact in binary
                    List<NDArray> host = withGradients(m, type, s), engine = withGradients(m, type, s);
                    double hostNorm = GradientClipping.clip(host, maxNorm, false);
                    double engineNorm = GradientClipping.clip(engine, maxNorm, true);
                    assertEquals(13 * s, hostNorm, 1e-6);
                    assertEquals(hostNorm, engineNorm, 1e-12 * hostNorm, type + " norm");
                    for (int i = 0; i < 2; i++) {
                        assertClose(values(host.get(i).getGradient()), values(engine.get(i).getGradient()), type,
                                type + " gradient " + i + " max norm " + maxNorm);
                    }
                    double after = Math.min(13 * s, maxNorm);
                    assertEquals(after, GradientClipping.globalNorm(engine, true), 1e-5, "the engine path scaled in place");
                    assertEquals(after, GradientClipping.globalNorm(engine, false), 1e-5);
                }
            }
        }
    }

    @Test
    void polyakOnEngineOpsMatchesTheHostPath() {
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
            try (NDManager m = Torch.newManager()) {
                Rng rng = new Rng(3);
                double[] t0 = gaussians(rng, 10), s0 = gaussians(rng, 10);
                NDArray source = tensor(m, type, s0, new Shape(2, 5));
                NDArray hostTarget = tensor(m, type, t0, new Shape(2, 5));
                NDArray engineTarget = tensor(m, type, t0, new Shape(2, 5));
                for (int i = 0; i < 5; i++) {
                    HostMemory.polyak(hostTarget, source, 0.005, false);
                    HostMemory.polyak(engineTarget, source, 0.005, true);
                }
                assertClose(values(hostTarget), values(engineTarget), type, type + " polyak");
                double expected0 = s0[0] + (t0[0] - s0[0]) * Math.pow(1 - 0.005, 5);
                assertEquals(expected0, values(engineTarget)[0], 1e-6, "five steps toward the source, by hand");
            }
        }
    }
}
