package dev.fulcrum.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.algo.Iql;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.data.TransitionTable;
import dev.fulcrum.core.nn.SideLane;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;

/**
 * IQL gradient steps per second at the reference sizes (CORL: 2x256 MLPs, batch 256; obs 17, act 6), on an in-memory
 * buffer of random transitions, exactly as {@code ../shared/reference/peer_iql.py} measures PyTorch: each step samples a
 * batch and runs the V, Q and actor updates and the Polyak update.
 */
public final class IqlStepBench {

    public record Result(int threads, int lanes, int obs, int act, int hidden, int batch, int steps, double seconds, long parameters) {
        public double stepsPerSecond() {
            return steps / seconds;
        }

        @Override
        public String toString() {
            return "fulcrum IQL (DJL %s, PyTorch engine) threads=%d lanes=%d batch=%d hidden=%d obs=%d act=%d params=%d%n%d IQL steps in %.2f s => %.1f steps/s (%.2f ms/step)"
                    .formatted(ai.djl.engine.Engine.getDjlVersion(), threads, lanes, batch, hidden, obs, act, parameters, steps, seconds,
                            stepsPerSecond(), 1e3 * seconds / steps);
        }
    }

    public static Result run(int steps, int warmup, int lanes, int obs, int act, int hidden, int batch, int bufferSize, long seed) {
        Rng rng = new Rng(seed);
        OfflineDataset data = randomDataset(bufferSize, obs, act, rng.split("data"));
        Preprocessor identity = new Preprocessor(new float[obs], ones(obs), 1f, 1, 0);
        TransitionTable table = new TransitionTable(data, identity);
        Iql.Config cfg = new Iql.Config(3.0, 0.7, 0.99, 0.005, 3e-4, 3e-4, 3e-4, hidden, 2, true, 100.0);
        try (NDManager manager = Torch.newManager(); SideLane lane = new SideLane()) {
            Iql iql = new Iql(manager, obs, act, cfg, steps + warmup, DataType.FLOAT32, rng);
            if (lanes > 1) {
                iql.useSideLane(lane);
            }
            Rng batches = rng.split("batches");
            for (int i = 1; i <= warmup; i++) {
                step(iql, table, batches, batch, manager, i);
            }
            long t0 = System.nanoTime();
            for (int i = 1; i <= steps; i++) {
                step(iql, table, batches, batch, manager, warmup + i);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long params;
            try (NDManager scratch = manager.newSubManager()) {
                params = iql.stateTensors(scratch).entrySet().stream().filter(e -> !e.getKey().startsWith("optim.")
                        && !e.getKey().contains("_target")).mapToLong(e -> e.getValue().size()).sum();
            }
            return new Result(Torch.intraOpThreads(), lanes, obs, act, hidden, batch, steps, seconds, params);
        }
    }

    private static void step(Iql iql, TransitionTable table, Rng rng, int batch, NDManager manager, long step) {
        try (NDScope ignored = new NDScope()) {
            Batch b = table.sample(rng, batch, manager, DataType.FLOAT32);
            Map<String, Double> m = iql.update(b, step, false);
            assert m.isEmpty();
        }
    }

    public static OfflineDataset randomDataset(int n, int obs, int act, Rng rng) {
        float[] o = rng.gaussians(n * obs, 1), no = rng.gaussians(n * obs, 1), r = rng.gaussians(n, 1);
        float[] a = new float[n * act];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.uniform(-1, 1);
        }
        boolean[] term = new boolean[n], timeouts = new boolean[n];
        for (int i = 0; i < n; i++) {
            term[i] = rng.nextDouble() < 0.01;
        }
        return new OfflineDataset(obs, act, o, a, r, no, term, timeouts, Map.of("generator", "IqlStepBench random buffer"));
    }

    private static float[] ones(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, 1f);
        return x;
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int lanes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        System.out.println(run(steps, 100, lanes, 17, 6, 256, 256, 100_000, 0));
    }
}
