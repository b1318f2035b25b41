package dev.fulcrum.lm.iterative;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * K sampled responses per problem from a model directory (or finished run): all {@code K x problems} prompts go through
 * {@link ResponseGenerator} together, so they are decoded in batches with the KV cache and tool calls are executed.
 */
public final class PolicySampler implements AutoCloseable {
    private final NDManager manager;
    private final Tokenizer tokenizer;
    private final ResponseGenerator generator;

    /** What a sampling call produced and how fast. */
    public record Samples(List<List<String>> responses, int samples, long tokens, double seconds) {
        public double samplesPerSecond() {
            return samples / Math.max(1e-9, seconds);
        }

        public double tokensPerSecond() {
            return tokens / Math.max(1e-9, seconds);
        }
    }

    public PolicySampler(Path runOrModel) {
        Path dir = ModelDirectories.resolve(runOrModel);
        this.manager = Torch.newManager();
        this.tokenizer = TokenizerFiles.ofModel(dir);
        DecoderLm model = HfCheckpoint.load(dir, manager, DataType.FLOAT32);
        this.generator = new ResponseGenerator(model, tokenizer);
    }

    /** {@code k} responses to each problem ({@code responses().get(i)} belong to {@code problems.get(i)}). */
    public Samples sample(List<Problem> problems, int k, ResponseGenerator.Settings settings, Rng rng) {
        if (k < 1) {
            throw new IllegalArgumentException("samples per prompt must be positive, got " + k);
        }
        List<String> prompts = new ArrayList<>(problems.size() * k);
        for (Problem p : problems) {
            for (int j = 0; j < k; j++) {
                prompts.add(p.prompt());
            }
        }
        long t0 = System.nanoTime();
        List<int[]> ids;
        try (NDManager scope = manager.newSubManager()) {
            ids = generator.respondIds(scope, prompts, settings, rng);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long tokens = ids.stream().mapToLong(a -> a.length).sum();
        List<List<String>> out = new ArrayList<>(problems.size());
        for (int i = 0; i < problems.size(); i++) {
            List<String> row = new ArrayList<>(k);
            for (int j = 0; j < k; j++) {
                row.add(tokenizer.decode(ids.get(i * k + j)));
            }
            out.add(List.copyOf(row));
        }
        return new Samples(List.copyOf(out), prompts.size(), tokens, seconds);
    }

    @Override
    public void close() {
        manager.close();
        TokenizerFiles.close(tokenizer);
    }
}
