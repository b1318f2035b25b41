package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.lm.align.RevisionLogProbs;
import dev.fulcrum.lm.align.RevisionPrompt;
import dev.fulcrum.lm.align.Srpo;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.CompletionScores;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SRPO training ({@link Srpo}) of one model that is both generator and reviser, on preference pairs, anchored to a frozen
 * reference model (the starting model). Each pair {@code (x, yw, yl)} is scored as six (prompt, completion) rows in one
 * forward pass: {@code yw} and {@code yl} after {@code <bos> x}, after the revision prompt of the draft {@code yl}, and
 * after that of the draft {@code yw} ({@link RevisionPrompt}); completions end with {@code <eos>} as in SFT. So the model
 * learns to revise from the pairs themselves: {@code pi(yw | x, yl)} is pushed up against {@code pi(yl | x, yl)}.
 *
 * <p>The reference is frozen, so its six log-probabilities of every pair are computed once, when the objective is built,
 * and the reference model is not needed afterwards. Pairs with a row longer than the model's {@code maxPositions} are left
 * out (counted in the summary as {@code skipped_for_length}). Evaluation reports SRPO's terms and accuracies on a fixed
 * probe of {@code srpo.probePairs} training pairs.
 */
public final class SrpoObjective implements LmObjective {
    /** Rows per pair, in {@link RevisionLogProbs} order. */
    private static final int ROWS = 6;

    /** A tokenized pair: prompts and completions of its six rows. */
    private record Pair(int[][] prompts, int[][] completions, int tokens, int longest) {
    }

    private final DecoderLm model;
    private final Srpo srpo;
    private final SrpoSettings settings;
    private final String dataPath;
    private final List<Pair> pairs = new ArrayList<>();
    private final float[][] reference; // [pair][row]
    private final int skippedForLength;
    private final int[] probe;
    private Map<String, Double> lastEvaluation;

    /**
     * @param manager   where the reference's scores are computed (inside a scope, so nothing stays)
     * @param policy    the model to train (starts as a copy of {@code reference})
     * @param reference the frozen anchor; only read here, to score every pair once
     */
    public SrpoObjective(NDManager manager, DecoderLm policy, DecoderLm reference, Tokenizer tokenizer, List<PreferenceExample> data,
                         String dataPath, SrpoSettings settings) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException(dataPath + ": no preference pairs");
        }
        int eos = tokenizer.special().eos();
        if (eos < 0) {
            throw new IllegalArgumentException("tokenizer " + tokenizer + " has no end-of-sequence token; SRPO's completions end with one");
        }
        this.model = policy;
        this.srpo = new Srpo(settings.loss());
        this.settings = settings;
        this.dataPath = dataPath;
        ResponseGenerator shape = new ResponseGenerator(policy, tokenizer);
        int skipped = 0;
        for (int i = 0; i < data.size(); i++) {
            PreferenceExample e = data.get(i);
            if (!(e.prompt() instanceof Content.Text x) || !(e.chosen() instanceof Content.Text yw)
                    || !(e.rejected() instanceof Content.Text yl)) {
                throw new IllegalArgumentException(dataPath + ": pair " + (i + 1) + " is conversational; SRPO here trains on "
                        + "prompt/chosen/rejected text (no chat template is implemented): write the data with --format standard");
            }
            int[] first = shape.promptIds(x.text());
            int[] draftRejected = shape.promptIds(RevisionPrompt.revise(x.text(), yl.text()));
            int[] draftChosen = shape.promptIds(RevisionPrompt.revise(x.text(), yw.text()));
            int[] w = withEnd(tokenizer.encode(yw.text()), eos), l = withEnd(tokenizer.encode(yl.text()), eos);
            int[][] prompts = {first, first, draftRejected, draftRejected, draftChosen, draftChosen};
            int[][] completions = {w, l, w, l, w, l};
            int tokens = 0, longest = 0;
            for (int r = 0; r < ROWS; r++) {
                int n = prompts[r].length + completions[r].length - 1;
                tokens += n;
                longest = Math.max(longest, n);
            }
            if (longest > policy.config().maxPositions()) {
                skipped++;
                continue;
            }
            pairs.add(new Pair(prompts, completions, tokens, longest));
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(dataPath + ": every pair's revision rows are longer than the model's maxPositions "
                    + policy.config().maxPositions());
        }
        this.skippedForLength = skipped;
        this.reference = new float[pairs.size()][];
        int[] all = new int[pairs.size()];
        Arrays.setAll(all, i -> i);
        for (int from = 0; from < all.length; from += settings.scoreBatchSize()) {
            int[] batch = Arrays.copyOfRange(all, from, Math.min(all.length, from + settings.scoreBatchSize()));
            try (NDScope ignored = new NDScope()) {
                float[] sums = score(reference, manager, batch).sums().toType(DataType.FLOAT32, false).toFloatArray();
                for (int j = 0; j < batch.length; j++) {
                    float[] row = new float[ROWS];
                    for (int r = 0; r < ROWS; r++) {
                        row[r] = sums[r * batch.length + j];
                    }
                    this.reference[batch[j]] = row;
                }
            }
        }
        int probeSize = Math.min(pairs.size(), settings.probePairs());
        probe = new int[probeSize];
        for (int i = 0; i < probeSize; i++) { // evenly spread over the data, which is usually ordered by family
            probe[i] = (int) ((long) i * pairs.size() / probeSize);
        }
    }

    private static int[] withEnd(int[] body, int eos) {
        int[] c = Arrays.copyOf(body, body.length + 1);
        c[body.length] = eos;
        return c;
    }

    /** The six rows of every pair of {@code batch} in one pass, row kind by kind ({@code [6B]} sums). */
    private CompletionScores score(DecoderLm m, NDManager manager, int[] batch) {
        List<int[]> p = new ArrayList<>(ROWS * batch.length), c = new ArrayList<>(ROWS * batch.length);
        for (int r = 0; r < ROWS; r++) {
            for (int i : batch) {
                p.add(pairs.get(i).prompts()[r]);
                c.add(pairs.get(i).completions()[r]);
            }
        }
        return SequenceScorer.score(m, manager, p, c);
    }

    private static RevisionLogProbs split(NDArray sums, int b) {
        NDArray[] k = new NDArray[ROWS];
        for (int r = 0; r < ROWS; r++) {
            k[r] = sums.get(new NDIndex("{}:{}", r * b, (r + 1) * b));
        }
        return new RevisionLogProbs(k[0], k[1], k[2], k[3], k[4], k[5]);
    }

    private RevisionLogProbs referenceOf(NDManager manager, int[] batch) {
        float[] flat = new float[ROWS * batch.length];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < batch.length; j++) {
                flat[r * batch.length + j] = reference[batch[j]][r];
            }
        }
        NDArray all = manager.create(flat, new Shape(flat.length)).toType(model.dtype(), false);
        return split(all, batch.length);
    }

    @Override
    public String name() {
        return "srpo";
    }

    public DecoderLm model() {
        return model;
    }

    /** Pairs trained on (those that fit in {@code maxPositions}). */
    public int pairs() {
        return pairs.size();
    }

    @Override
    public Map<String, NDArray> parameters() {
        return model.parameters();
    }

    @Override
    public int[] exampleLengths() {
        return pairs.stream().mapToInt(Pair::longest).toArray();
    }

    @Override
    public BatchLoss loss(NDManager manager, int[] batch) {
        RevisionLogProbs policy = split(score(model, manager, batch).sums(), batch.length);
        RevisionLogProbs ref = referenceOf(manager, batch);
        NDArray loss = srpo.loss(policy, ref).mean();
        long tokens = Arrays.stream(batch).mapToLong(i -> pairs.get(i).tokens()).sum();
        return new BatchLoss(loss, tokens, srpo.metrics(policy, ref));
    }

    @Override
    public Map<String, Double> evaluate(NDManager manager) {
        Map<String, Double> m = new LinkedHashMap<>();
        try (NDScope ignored = new NDScope()) {
            RevisionLogProbs policy = split(score(model, manager, probe).sums(), probe.length);
            RevisionLogProbs ref = referenceOf(manager, probe);
            m.put("probe_loss", srpo.loss(policy, ref).mean().toType(DataType.FLOAT64, false).getDouble());
            srpo.metrics(policy, ref).forEach((k, v) -> m.put("probe_" + k, v));
        }
        lastEvaluation = m;
        return m;
    }

    @Override
    public void export(Path dir, Path tokenizerDir) {
        HfCheckpoint.save(model, dir, tokenizerDir);
    }

    @Override
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("data", Map.of("path", dataPath, "pairs", pairs.size(), "skipped_for_length", skippedForLength));
        s.put("parameters", model.parameterCount());
        s.put("srpo", Map.of("alpha", settings.alpha(), "beta", settings.beta()));
        if (lastEvaluation != null) {
            s.put("evaluation", lastEvaluation);
        }
        return s;
    }
}
