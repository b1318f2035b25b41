package dev.fulcrum.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.SideLane;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.model.Completion;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.GenerationConfig;
import dev.fulcrum.lm.model.Generator;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.TokenBatch;
import dev.fulcrum.lm.train.TokenCrossEntropy;
import java.util.ArrayList;
import java.util.List;

/**
 * Language-model throughput, measured as {@code scripts/peer/peer_lm.py} measures PyTorch on the same model:
 * <ul>
 *   <li>training: tokens per second of full steps (forward over {@code batch x seq} random tokens, next-token
 *       cross-entropy, backward, Adam update);</li>
 *   <li>generation: new tokens per second of batched sampling (temperature 1, no stop token) with the KV cache, prompt
 *       processing included; with {@code lanes = 2} half of the batch decodes on a {@link SideLane}.</li>
 * </ul>
 * Both wall-clock and process CPU time are reported: on a machine shared with other jobs the CPU time is the steadier
 * measure of the work done (with more than one intra-op thread it also counts the threads' spinning).
 *
 * <p>Default shape: Llama-style, hidden 256, 4 layers, 4 heads, 2 key/value heads, MLP 704, vocabulary 512, sequence 128,
 * batch 8 (3.2 M parameters).
 */
public final class LmBench {

    public record Settings(LmConfig.Family family, int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab,
                           int seq, int batch, int trainSteps, int warmupSteps, int promptLength, int newTokens,
                           int generateRounds, int lanes) {
        public LmConfig config() {
            int maxPositions = Math.max(seq, promptLength + newTokens);
            return family == LmConfig.Family.GPT2 ? LmConfig.gpt2(vocab, hidden, layers, heads, maxPositions)
                    : LmConfig.llama(vocab, hidden, layers, heads, kvHeads, intermediate, maxPositions, 10000.0, false);
        }
    }

    /** Wall-clock seconds and process CPU seconds (all threads) of the two timed phases. */
    public record Result(Settings settings, int threads, long parameters, double trainSeconds, double trainCpuSeconds,
                         double generateSeconds, double generateCpuSeconds, long generatedTokens) {
        public double trainTokensPerSecond() {
            return (double) settings.trainSteps() * settings.batch() * settings.seq() / trainSeconds;
        }

        public double generatedTokensPerSecond() {
            return generatedTokens / generateSeconds;
        }

        @Override
        public String toString() {
            Settings s = settings;
            return ("fulcrum LM (DJL %s, PyTorch engine) %s hidden=%d layers=%d heads=%d kv_heads=%d mlp=%d vocab=%d seq=%d "
                    + "batch=%d threads=%d lanes=%d params=%d%n"
                    + "train: %d steps x %d tokens in %.2f s => %.0f tokens/s (%.1f ms/step); cpu %.2f s => %.0f tokens/cpu-s%n"
                    + "generate: %d rounds x %d prompts x %d new tokens (prompt %d, KV cache) in %.2f s => %.0f tokens/s; "
                    + "cpu %.2f s => %.0f tokens/cpu-s")
                    .formatted(ai.djl.engine.Engine.getDjlVersion(), s.family().name().toLowerCase(), s.hidden(), s.layers(),
                            s.heads(), s.kvHeads(), s.intermediate(), s.vocab(), s.seq(), s.batch(), threads, s.lanes(), parameters,
                            s.trainSteps(), s.batch() * s.seq(), trainSeconds, trainTokensPerSecond(), 1e3 * trainSeconds / s.trainSteps(),
                            trainCpuSeconds, (double) s.trainSteps() * s.batch() * s.seq() / trainCpuSeconds,
                            s.generateRounds(), s.batch(), s.newTokens(), s.promptLength(), generateSeconds, generatedTokensPerSecond(),
                            generateCpuSeconds, generatedTokens / generateCpuSeconds);
        }
    }

    public static Settings defaults() {
        return new Settings(LmConfig.Family.LLAMA, 256, 4, 4, 2, 704, 512, 128, 8, 20, 3, 16, 112, 2, 1);
    }

    public static Result run(Settings s, long seed) {
        Rng rng = new Rng(seed);
        LmConfig config = s.config();
        try (NDManager manager = Torch.newManager(); SideLane lane = new SideLane()) {
            DecoderLm model = DecoderLm.initialise(manager, config, DataType.FLOAT32, rng.split("init"));
            Adam adam = new Adam(manager, model.parameters(), 3e-4);
            Rng data = rng.split("data");
            for (int i = 0; i < s.warmupSteps(); i++) {
                trainStep(model, adam, manager, data, s);
            }
            long t0 = System.nanoTime(), c0 = processCpuNanos();
            for (int i = 0; i < s.trainSteps(); i++) {
                trainStep(model, adam, manager, data, s);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9, trainCpu = (processCpuNanos() - c0) / 1e9;

            Generator generator = new Generator(model, s.lanes() > 1 ? lane : null);
            GenerationConfig cfg = GenerationConfig.sampling(s.newTokens(), 1.0, 0, 1.0);
            Rng sampling = rng.split("sampling");
            generator.generate(manager, prompts(data, s), cfg, sampling); // warm-up round (JIT), untimed
            long generated = 0;
            long t1 = System.nanoTime(), c1 = processCpuNanos();
            for (int r = 0; r < s.generateRounds(); r++) {
                for (Completion c : generator.generate(manager, prompts(data, s), cfg, sampling)) {
                    generated += c.length();
                }
            }
            double generateSeconds = (System.nanoTime() - t1) / 1e9, generateCpu = (processCpuNanos() - c1) / 1e9;
            return new Result(s, Torch.intraOpThreads(), model.parameterCount(), trainSeconds, trainCpu, generateSeconds,
                    generateCpu, generated);
        }
    }

    /** CPU time of the whole process (all threads), like Python's {@code time.process_time()}. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void trainStep(DecoderLm model, Adam adam, NDManager manager, Rng data, Settings s) {
        List<int[]> rows = new ArrayList<>();
        long[] targets = new long[s.batch() * s.seq()];
        for (int b = 0; b < s.batch(); b++) {
            int[] row = new int[s.seq()];
            for (int t = 0; t < s.seq(); t++) {
                row[t] = data.nextInt(s.vocab());
                targets[b * s.seq() + t] = data.nextInt(s.vocab());
            }
            rows.add(row);
        }
        try (NDScope ignored = new NDScope()) {
            TokenBatch batch = TokenBatch.of(rows, 0, TokenBatch.Padding.RIGHT);
            NDArray y = manager.create(targets, new Shape(s.batch(), s.seq()));
            NDArray mask = batch.maskTensor(manager, DataType.FLOAT32);
            adam.zeroGradients();
            try (Torch.Tape tape = new Torch.Tape()) {
                tape.backward(TokenCrossEntropy.loss(model.logits(manager, batch), y, mask));
            }
            adam.step();
        }
    }

    private static List<int[]> prompts(Rng data, Settings s) {
        List<int[]> prompts = new ArrayList<>();
        for (int b = 0; b < s.batch(); b++) {
            int[] p = new int[s.promptLength()];
            for (int t = 0; t < p.length; t++) {
                p[t] = data.nextInt(s.vocab());
            }
            prompts.add(p);
        }
        return prompts;
    }
}
