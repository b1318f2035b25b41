package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Autoregressive decoding of a batch of prompts of different lengths.
 *
 * <p>Prompts are <b>left-padded</b>, so every row's next token is predicted at the last column and appended in the same
 * new column; position ids count each row's real tokens, so padding changes nothing in a row's numbers. With the KV
 * cache (the default) the prompt is processed once and each step feeds one column; without it each step recomputes the
 * whole sequence (the reference the cache is tested against: both give the same tokens). Rows that emitted a stop
 * token are finished: they draw no more random numbers and their further columns are ignored; decoding ends when every
 * row is finished or has {@code maxNewTokens} tokens.
 *
 * <p>Randomness: each unfinished row draws exactly one number from {@code rng} per sampled token, rows in order, so
 * runs with the same seed are identical. Runs without graph recording; each step's tensors live in their own scope.
 */
public final class Generator {
    private static final int PAD = 0;
    private final DecoderLm model;

    public Generator(DecoderLm model) {
        this.model = model;
    }

    public List<Completion> generate(NDManager manager, List<int[]> prompts, GenerationConfig cfg, Rng rng) {
        return generate(manager, prompts, cfg, rng, true);
    }

    public List<Completion> generate(NDManager manager, List<int[]> prompts, GenerationConfig cfg, Rng rng, boolean useCache) {
        if (prompts.isEmpty()) {
            return List.of();
        }
        int rows = prompts.size();
        int longestPrompt = 0;
        for (int i = 0; i < rows; i++) {
            if (prompts.get(i).length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty; generation needs at least one token (e.g. BOS)");
            }
            longestPrompt = Math.max(longestPrompt, prompts.get(i).length);
        }
        int capacity = longestPrompt + cfg.maxNewTokens();
        if (capacity > model.config().maxPositions()) {
            throw new IllegalArgumentException("longest prompt " + longestPrompt + " + maxNewTokens " + cfg.maxNewTokens()
                    + " exceeds the model's maxPositions " + model.config().maxPositions());
        }
        List<List<Integer>> generated = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            generated.add(new ArrayList<>());
        }
        boolean[] finished = new boolean[rows];
        int vocab = model.config().vocabSize();
        try (NDManager scratch = manager.newSubManager()) {
            TokenBatch prompt = TokenBatch.of(prompts, PAD, TokenBatch.Padding.LEFT);
            KvCache cache = useCache ? model.newCache(scratch, rows, capacity) : null;
            boolean[] keyMask = Arrays.copyOf(prompt.mask(), prompt.mask().length); // [rows, columns so far] when cached
            int columns = prompt.length();
            double[] logits;
            try (NDScope ignored = new NDScope()) {
                logits = lastLogits(model.hiddenStates(prompt.idTensor(scratch), prompt.positionTensor(scratch),
                        prompt.causalBias(scratch, model.dtype()), cache));
            }
            for (int step = 0; step < cfg.maxNewTokens(); step++) {
                int[] next = new int[rows];
                for (int r = 0; r < rows; r++) {
                    if (finished[r]) {
                        next[r] = PAD;
                        continue;
                    }
                    next[r] = Sampler.next(logits, r * vocab, vocab, cfg, rng);
                    generated.get(r).add(next[r]);
                    finished[r] = cfg.stopsAt(next[r]);
                }
                if (step == cfg.maxNewTokens() - 1 || allTrue(finished)) {
                    break;
                }
                try (NDScope ignored = new NDScope()) {
                    if (useCache) {
                        keyMask = appendColumn(keyMask, rows, columns);
                        columns++;
                        long[] ids = new long[rows];
                        long[] positions = new long[rows];
                        for (int r = 0; r < rows; r++) {
                            ids[r] = next[r];
                            positions[r] = prompts.get(r).length + step;
                        }
                        NDArray bias = AttentionBias.causal(scratch, rows, 1, columns - 1, keyMask, columns, model.dtype());
                        logits = lastLogits(model.hiddenStates(scratch.create(ids, new Shape(rows, 1)),
                                scratch.create(positions, new Shape(rows, 1)), bias, cache));
                    } else {
                        List<int[]> sequences = new ArrayList<>();
                        for (int r = 0; r < rows; r++) {
                            int[] p = prompts.get(r);
                            int[] s = Arrays.copyOf(p, p.length + generated.get(r).size());
                            for (int j = 0; j < generated.get(r).size(); j++) {
                                s[p.length + j] = generated.get(r).get(j);
                            }
                            sequences.add(s);
                        }
                        TokenBatch full = TokenBatch.of(sequences, PAD, TokenBatch.Padding.LEFT);
                        logits = lastLogits(model.hiddenStates(full.idTensor(scratch), full.positionTensor(scratch),
                                full.causalBias(scratch, model.dtype()), null));
                    }
                }
            }
        }
        List<Completion> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            out.add(new Completion(generated.get(r).stream().mapToInt(Integer::intValue).toArray(), finished[r]));
        }
        return out;
    }

    /** Logits of each row's last column, {@code [rows * vocab]} on the host. */
    private double[] lastLogits(NDArray hidden) {
        NDArray logits = model.head(hidden.get(new NDIndex(":, -1, :")));
        if (logits.getDataType() == DataType.FLOAT64) {
            return logits.toDoubleArray();
        }
        float[] f = logits.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static boolean[] appendColumn(boolean[] mask, int rows, int columns) {
        boolean[] out = new boolean[rows * (columns + 1)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(mask, r * columns, out, r * (columns + 1), columns);
            out[r * (columns + 1) + columns] = true;
        }
        return out;
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean x : b) {
            if (!x) {
                return false;
            }
        }
        return true;
    }
}
