package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.align.PairObjective;
import dev.fulcrum.lm.align.PairScores;
import dev.fulcrum.lm.data.ChatTemplate;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.diagnostics.PairScoring;
import dev.fulcrum.lm.diagnostics.RankingDiagnostics;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.Completion;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.GenerationConfig;
import dev.fulcrum.lm.model.Generator;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Offline preference optimisation of a policy on preference pairs with any {@link PairObjective} (the DPO family of
 * {@link dev.fulcrum.lm.align.Dpo}: DPO, cDPO, rDPO, hinge/SLiC, IPO, SimPO):
 * <pre>
 *   L = mean_i loss(PairScores_i),   PairScores_i = (lp_pi(yw_i), lp_pi(yl_i), lp_ref(yw_i), lp_ref(yl_i), |yw_i|, |yl_i|)
 * </pre>
 * with {@code lp(y) = sum_t log pi(y_t | <bos> x, y_<t)} over {@code y <eos>} ({@link PairScoring}'s convention: the
 * decision to stop is scored too). Each batch's chosen and rejected completions go through one forward pass of the
 * policy ({@link SequenceScorer}).
 *
 * <p>Anchor: the reference model, frozen: a copy of the policy's initial parameters, or {@code preference.reference}.
 * Its log-probabilities are either computed once for every pair ({@code precomputed}, the default; kept in memory and
 * written to {@code RUN/}{@value #REFERENCE_FILE}, which a resumed run reads back instead of recomputing) or by a forward
 * pass of the reference with every batch ({@code live}).
 *
 * <p>Training metrics are the objective's (TRL's {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/margins},
 * {@code rewards/accuracies}, {@code logps/chosen}, {@code logps/rejected} for DPO). Evaluation, on the pairs of a held-out
 * {@code preference.heldOutFraction} of the prompts: the same metrics and the loss ({@code eval_} prefix), the ranking
 * diagnostics of {@link RankingDiagnostics} (ranking accuracy, length-normalised and idealised, alignment gap, flips of
 * the reference's rankings), the same on a probe of training pairs ({@code train_} prefix), and
 * {@code kl_to_reference}: the Monte-Carlo estimate {@code mean_j [lp_pi(y_j) - lp_ref(y_j)]} of the sequence-level
 * {@code KL(pi || ref)} over responses {@code y_j ~ pi(.|x_j)} sampled at temperature 1 (at most
 * {@code preference.klMaxNewTokens} tokens) for {@code preference.klSamples} held-out prompts, with a generator seeded the
 * same at every evaluation.
 */
public final class PreferenceObjective implements LmObjective {
    /** The precomputed reference log-probabilities inside a run directory. */
    public static final String REFERENCE_FILE = "reference-logps.safetensors";

    /** A tokenized pair: {@code <bos> prompt}, {@code chosen <eos>}, {@code rejected <eos>} and the oracle's columns. */
    record Pair(int[] prompt, int[] chosen, int[] rejected, String family, double preferenceShare) {
    }

    /** Chosen and rejected sequence log-probabilities of some pairs. */
    record Scores(double[] chosen, double[] rejected) {
    }

    private final ChatTemplate chat;
    private final DecoderLm policy;
    private final DecoderLm reference;
    private final String referenceSource;
    private final Tokenizer tokenizer;
    private final PairObjective objective;
    private final PreferenceSettings settings;
    private final String dataPath;
    private final List<Pair> pairs = new ArrayList<>();
    private final int[] train;
    private final int[] heldOut;
    private final int[] trainProbe;
    private final int prompts;
    private final int heldOutPrompts;
    private final List<int[]> klPrompts;
    private final long klSeed;
    /** Reference log-probabilities per pair (NaN until computed). */
    private final double[] referenceChosen;
    private final double[] referenceRejected;
    private String referenceOrigin = "not computed yet";
    private Map<String, Double> lastEvaluation;
    /** The second frozen anchor ({@link PairObjective#needsAnchor()}, INPO's previous iterate) and its scores, once computed. */
    private DecoderLm anchor;
    private Scores anchorScores;

    /**
     * @param policy          the model to train (its current parameters are the initial ones)
     * @param reference       the frozen reference model ({@link #frozenCopy} or {@link #loadReference})
     * @param referenceSource where the reference came from, for the summary
     * @param split           draws the held-out prompts, the training probe and the KL samples
     */
    public PreferenceObjective(DecoderLm policy, DecoderLm reference, String referenceSource, Tokenizer tokenizer,
                               List<PreferenceExample> data, String dataPath, PairObjective objective,
                               PreferenceSettings settings, Rng split) {
        this(policy, reference, referenceSource, tokenizer, data, dataPath, objective, settings, split, ChatTemplate.chatml());
    }

    /** Conversational pairs are rendered with {@code chat} (prompt with the generation prompt, then the response turn). */
    public PreferenceObjective(DecoderLm policy, DecoderLm reference, String referenceSource, Tokenizer tokenizer,
                               List<PreferenceExample> data, String dataPath, PairObjective objective,
                               PreferenceSettings settings, Rng split, ChatTemplate chat) {
        this.chat = chat;
        if (data.isEmpty()) {
            throw new IllegalArgumentException(dataPath + ": no preference pairs");
        }
        this.policy = policy;
        this.reference = reference;
        this.referenceSource = referenceSource;
        this.tokenizer = tokenizer;
        this.objective = objective;
        this.settings = settings;
        this.dataPath = dataPath;
        int maxPositions = Math.min(policy.config().maxPositions(), reference.config().maxPositions());
        List<String> rowPrompts = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            PreferenceExample e = data.get(i);
            ChatTemplate.Rendered chosen = rendered(e.prompt(), e.chosen(), i), rejected = rendered(e.prompt(), e.rejected(), i);
            String prompt = chosen.prompt();
            rowPrompts.add(prompt);
            int[] p = PairScoring.prompt(tokenizer, prompt);
            if (p.length == 0) {
                throw new IllegalArgumentException(dataPath + ": pair " + (i + 1) + " has an empty prompt and the tokenizer has no "
                        + "beginning-of-sequence token to score the response from");
            }
            int[] c = PairScoring.completion(tokenizer, chosen.completion(), i, "chosen");
            int[] r = PairScoring.completion(tokenizer, rejected.completion(), i, "rejected");
            int longest = p.length + Math.max(c.length, r.length) - 1;
            if (longest > maxPositions) {
                throw new IllegalArgumentException(dataPath + ": pair " + (i + 1) + " is " + longest + " tokens long, more than the "
                        + "models' maxPositions " + maxPositions);
            }
            JsonNode family = e.extra().get("family");
            JsonNode share = e.extra().get("p_chosen");
            double p1 = share != null && share.isNumber() ? share.asDouble() : 1.0;
            if (!(p1 >= 0 && p1 <= 1)) {
                throw new IllegalArgumentException(dataPath + ": pair " + (i + 1) + ": field 'p_chosen' must lie in [0, 1], got " + p1);
            }
            pairs.add(new Pair(p, c, r, family != null && family.isTextual() ? family.asText() : "", p1));
        }
        PromptSplit byPrompt = PromptSplit.of(rowPrompts, settings.heldOutFraction(), split, dataPath, "preference.heldOutFraction");
        prompts = byPrompt.prompts();
        heldOutPrompts = byPrompt.heldOutPrompts();
        List<Integer> trainRows = new ArrayList<>(), heldRows = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            (byPrompt.heldOut()[i] ? heldRows : trainRows).add(i);
        }
        train = trainRows.stream().mapToInt(Integer::intValue).toArray();
        heldOut = heldRows.stream().mapToInt(Integer::intValue).toArray();
        int[] probeOrder = split.split("train-probe").permutation(train.length);
        trainProbe = Arrays.stream(probeOrder, 0, Math.min(train.length, Math.max(heldOut.length, 256))).map(i -> train[i]).toArray();
        klPrompts = klPrompts(heldOut.length > 0 ? heldOut : train, settings.klSamples());
        klSeed = split.split("kl-samples").nextLong();
        referenceChosen = new double[pairs.size()];
        referenceRejected = new double[pairs.size()];
        Arrays.fill(referenceChosen, Double.NaN);
        Arrays.fill(referenceRejected, Double.NaN);
    }

    /** A frozen copy of {@code model}'s current parameters, in {@code manager} (outside any scope). */
    public static DecoderLm frozenCopy(DecoderLm model, NDManager manager) {
        return model.frozenCopy(manager);
    }

    /** The frozen model of {@code runOrModel} (a Hugging Face directory or a finished run), checked against the tokenizer. */
    public static DecoderLm loadReference(Path runOrModel, NDManager manager, Tokenizer tokenizer) {
        Path dir = ModelDirectories.resolve(runOrModel);
        DecoderLm model = HfCheckpoint.load(dir, manager, DataType.FLOAT32);
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("preference.reference: the tokenizer has " + tokenizer.vocabSize() + " ids but the "
                    + "reference model in " + dir + " only " + model.config().vocabSize());
        }
        return freeze(model);
    }

    private static DecoderLm freeze(DecoderLm model) {
        model.parameters().values().forEach(p -> p.setRequiresGradient(false));
        return model;
    }

    /** Prompt and response as text: as given, or rendered with the chat template for conversational rows. */
    private ChatTemplate.Rendered rendered(Content prompt, Content response, int row) {
        try {
            return chat.apply(prompt, response);
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException(dataPath + ": pair " + (row + 1) + ": " + bad.getMessage(), bad);
        }
    }

    /** The first {@code count} distinct prompts of {@code rows} that leave the policy room for a response. */
    private List<int[]> klPrompts(int[] rows, int count) {
        LinkedHashSet<List<Integer>> distinct = new LinkedHashSet<>();
        for (int i : rows) {
            if (distinct.size() == count) {
                break;
            }
            if (pairs.get(i).prompt().length >= policy.config().maxPositions()) {
                continue;
            }
            distinct.add(Arrays.stream(pairs.get(i).prompt()).boxed().toList());
        }
        return distinct.stream().map(p -> p.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    @Override
    public String name() {
        return objective.name();
    }

    public DecoderLm model() {
        return policy;
    }

    /**
     * Sets the second frozen anchor that objectives with {@link PairObjective#needsAnchor()} read (INPO's previous iterate);
     * its log-probabilities of every pair are computed once, at first use. Call before training.
     */
    public PreferenceObjective withAnchor(DecoderLm model) {
        if (model.config().maxPositions() < policy.config().maxPositions() && !pairs.isEmpty()) {
            int longest = pairs.stream().mapToInt(p -> p.prompt().length + Math.max(p.chosen().length, p.rejected().length) - 1).max()
                    .orElse(0);
            if (longest > model.config().maxPositions()) {
                throw new IllegalArgumentException("preference.anchor: a pair is " + longest + " tokens long, more than the anchor's "
                        + "maxPositions " + model.config().maxPositions());
            }
        }
        this.anchor = model;
        this.anchorScores = null;
        return this;
    }

    /** {@code scores} with the anchor's log-probabilities of {@code rows} added, when the objective reads them. */
    private PairScores anchored(PairScores scores, NDManager manager, int[] rows, DataType dtype) {
        if (!objective.needsAnchor()) {
            return scores;
        }
        if (anchor == null) {
            throw new IllegalStateException("objective " + objective.name() + " needs a second anchor model: set preference.anchor");
        }
        if (anchorScores == null) {
            anchorScores = score(anchor, manager, allRows());
        }
        return scores.withAnchor(values(manager, rows, anchorScores.chosen(), dtype), values(manager, rows, anchorScores.rejected(), dtype));
    }

    /** The frozen reference model. */
    DecoderLm reference() {
        return reference;
    }

    public PairObjective pairObjective() {
        return objective;
    }

    /** Where the reference scores in use came from: computed in this process, or read back from the run directory. */
    public String referenceOrigin() {
        return referenceOrigin;
    }

    /** Held-out and training pair indices (into the data's rows), for tests and experiments. */
    int[] heldOutRows() {
        return heldOut.clone();
    }

    int[] trainRows() {
        return train.clone();
    }

    @Override
    public Map<String, NDArray> parameters() {
        return policy.parameters();
    }

    @Override
    public int[] exampleLengths() {
        return Arrays.stream(train).map(i -> {
            Pair p = pairs.get(i);
            return p.prompt().length + Math.max(p.chosen().length, p.rejected().length);
        }).toArray();
    }

    /**
     * Reads the run's precomputed reference log-probabilities, or computes and writes them ({@code precomputed} mode);
     * nothing in {@code live} mode.
     */
    @Override
    public void attach(Path runDir, NDManager manager) {
        if (!settings.precomputed()) {
            return;
        }
        Path file = runDir.resolve(REFERENCE_FILE);
        if (Files.isRegularFile(file)) {
            readReference(file, manager);
            return;
        }
        computeReference(manager, allRows());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("pairs", Integer.toString(pairs.size()));
        meta.put("fingerprint", fingerprint());
        meta.put("reference", referenceSource);
        try (NDManager tmp = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("chosen", tmp.create(referenceChosen));
            tensors.put("rejected", tmp.create(referenceRejected));
            Safetensors.write(file, tensors, meta);
        }
    }

    private void readReference(Path file, NDManager manager) {
        Safetensors.Contents c = Safetensors.read(file);
        String expected = fingerprint();
        if (!expected.equals(c.metadata().get("fingerprint")) || !Integer.toString(pairs.size()).equals(c.metadata().get("pairs"))) {
            throw new IllegalArgumentException(file + " holds reference log-probabilities of other pairs (" + c.metadata().get("pairs")
                    + " pairs, fingerprint " + c.metadata().get("fingerprint") + "; the data gives " + pairs.size() + " pairs, "
                    + expected + "): was " + dataPath + " changed? Delete the file to recompute it");
        }
        try (NDManager tmp = manager.newSubManager()) {
            double[] chosen = c.tensors().get("chosen").toNDArray(tmp).toDoubleArray();
            double[] rejected = c.tensors().get("rejected").toNDArray(tmp).toDoubleArray();
            System.arraycopy(chosen, 0, referenceChosen, 0, chosen.length);
            System.arraycopy(rejected, 0, referenceRejected, 0, rejected.length);
        }
        referenceOrigin = "read from " + file.getFileName();
    }

    /** CRC-32 of every pair's token ids: identifies the tokenized data the reference scores belong to. */
    private String fingerprint() {
        CRC32 crc = new CRC32();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4);
        for (Pair p : pairs) {
            for (int[] part : List.of(p.prompt(), p.chosen(), p.rejected())) {
                for (int v : new int[] {-1, part.length}) {
                    crc.update(b.clear().putInt(v).array());
                }
                for (int v : part) {
                    crc.update(b.clear().putInt(v).array());
                }
            }
        }
        return Long.toHexString(crc.getValue());
    }

    private int[] allRows() {
        int[] all = new int[pairs.size()];
        Arrays.setAll(all, i -> i);
        return all;
    }

    /** Scores the reference on the pairs of {@code rows} it has not scored yet. */
    private void computeReference(NDManager manager, int[] rows) {
        int[] missing = Arrays.stream(rows).filter(i -> Double.isNaN(referenceChosen[i])).toArray();
        if (missing.length == 0) {
            return;
        }
        Scores s = score(reference, manager, missing);
        for (int k = 0; k < missing.length; k++) {
            referenceChosen[missing[k]] = s.chosen()[k];
            referenceRejected[missing[k]] = s.rejected()[k];
        }
        if (referenceOrigin.startsWith("not")) {
            referenceOrigin = "computed";
        }
    }

    /** Sequence log-probabilities of the pairs {@code rows} under {@code model}, in batches, without gradients. */
    private Scores score(DecoderLm model, NDManager manager, int[] rows) {
        double[] chosen = new double[rows.length], rejected = new double[rows.length];
        for (int from = 0; from < rows.length; from += settings.evalBatchSize()) {
            int to = Math.min(rows.length, from + settings.evalBatchSize());
            try (NDScope ignored = new NDScope()) {
                NDArray sums = policyPass(model, manager, Arrays.copyOfRange(rows, from, to));
                double[] s = sums.toType(DataType.FLOAT64, false).toDoubleArray();
                int n = to - from;
                System.arraycopy(s, 0, chosen, from, n);
                System.arraycopy(s, n, rejected, from, n);
            }
        }
        return new Scores(chosen, rejected);
    }

    /** One forward pass over the chosen then the rejected completions of {@code rows}: sums {@code [2B]}. */
    private NDArray policyPass(DecoderLm model, NDManager manager, int[] rows) {
        List<int[]> prompts = new ArrayList<>(2 * rows.length), completions = new ArrayList<>(2 * rows.length);
        for (int i : rows) {
            prompts.add(pairs.get(i).prompt());
            completions.add(pairs.get(i).chosen());
        }
        for (int i : rows) {
            prompts.add(pairs.get(i).prompt());
            completions.add(pairs.get(i).rejected());
        }
        return SequenceScorer.score(model, manager, prompts, completions).sums();
    }

    @Override
    public BatchLoss loss(NDManager manager, int[] batch) {
        int[] rows = Arrays.stream(batch).map(i -> train[i]).toArray();
        PairScores scores = batchScores(manager, rows);
        NDArray loss = objective.loss(scores).mean();
        long tokens = 0;
        for (int i : rows) {
            Pair p = pairs.get(i);
            tokens += 2L * p.prompt().length + p.chosen().length + p.rejected().length;
        }
        return new BatchLoss(loss, tokens, objective.metrics(scores));
    }

    /** The training batch's scores: the policy's with gradients, the reference's precomputed or from a live pass. */
    PairScores batchScores(NDManager manager, int[] rows) {
        int n = rows.length;
        NDArray sums = policyPass(policy, manager, rows);
        NDArray policyChosen = sums.get(new NDIndex("0:{}", n));
        NDArray policyRejected = sums.get(new NDIndex("{}:", n));
        NDArray refChosen = null, refRejected = null;
        if (objective.needsReference()) {
            if (settings.precomputed()) {
                computeReference(manager, allRows()); // a no-op once attached; objectives used outside a run compute here
                refChosen = values(manager, rows, referenceChosen, sums.getDataType());
                refRejected = values(manager, rows, referenceRejected, sums.getDataType());
            } else {
                NDArray ref = policyPass(reference, manager, rows).stopGradient();
                refChosen = ref.get(new NDIndex("0:{}", n));
                refRejected = ref.get(new NDIndex("{}:", n));
            }
        }
        double[] chosenTokens = new double[n], rejectedTokens = new double[n];
        for (int k = 0; k < n; k++) {
            chosenTokens[k] = pairs.get(rows[k]).chosen().length;
            rejectedTokens[k] = pairs.get(rows[k]).rejected().length;
        }
        return anchored(new PairScores(policyChosen, policyRejected, refChosen, refRejected,
                manager.create(chosenTokens).toType(sums.getDataType(), false),
                manager.create(rejectedTokens).toType(sums.getDataType(), false)), manager, rows, sums.getDataType());
    }

    private static NDArray values(NDManager manager, int[] rows, double[] all, DataType dtype) {
        double[] v = new double[rows.length];
        for (int k = 0; k < rows.length; k++) {
            v[k] = all[rows[k]];
        }
        return manager.create(v).toType(dtype, false);
    }

    @Override
    public Map<String, Double> evaluate(NDManager manager) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (heldOut.length > 0) {
            m.putAll(evaluatePairs(manager, heldOut, "eval_", ""));
        }
        m.putAll(evaluatePairs(manager, trainProbe, "train_", "train_"));
        if (!klPrompts.isEmpty()) {
            m.put("kl_to_reference", klToReference(manager));
        }
        lastEvaluation = m;
        return m;
    }

    /** The objective's loss and metrics ({@code lossPrefix}) and the ranking diagnostics ({@code rankingPrefix}) of {@code rows}. */
    private Map<String, Double> evaluatePairs(NDManager manager, int[] rows, String lossPrefix, String rankingPrefix) {
        computeReference(manager, rows);
        Scores s = score(policy, manager, rows);
        Map<String, Double> m = new LinkedHashMap<>();
        try (NDScope ignored = new NDScope()) {
            double[] rc = new double[rows.length], rr = new double[rows.length], nc = new double[rows.length], nr = new double[rows.length];
            for (int k = 0; k < rows.length; k++) {
                Pair p = pairs.get(rows[k]);
                rc[k] = referenceChosen[rows[k]];
                rr[k] = referenceRejected[rows[k]];
                nc[k] = p.chosen().length;
                nr[k] = p.rejected().length;
            }
            PairScores scores = anchored(new PairScores(manager.create(s.chosen()), manager.create(s.rejected()), manager.create(rc),
                    manager.create(rr), manager.create(nc), manager.create(nr)), manager, rows, DataType.FLOAT64);
            m.put(lossPrefix + "loss", objective.loss(scores).mean().getDouble());
            objective.metrics(scores).forEach((k, v) -> m.put(lossPrefix + k, v));
        }
        RankingDiagnostics.Report r = RankingDiagnostics.report(diagnosed(rows, s), settings.beta(), settings.idealisedEpsilon());
        m.put(rankingPrefix + "ranking_accuracy", r.rankingAccuracy());
        m.put(rankingPrefix + "ranking_accuracy_length_normalised", r.lengthNormalisedRankingAccuracy());
        m.put(rankingPrefix + "reference_ranking_accuracy", r.referenceRankingAccuracy());
        m.put(rankingPrefix + "idealised_ranking_accuracy", r.idealisedRankingAccuracy());
        m.put(rankingPrefix + "alignment_gap", r.alignmentGap());
        m.put(rankingPrefix + "flipped_to_right", (double) r.flips().flippedToRight());
        m.put(rankingPrefix + "flipped_to_wrong", (double) r.flips().flippedToWrong());
        m.put(rankingPrefix + "reference_wrong", (double) r.flips().referenceWrong());
        return m;
    }

    /** The pairs {@code rows} as {@link RankingDiagnostics} reads them, with the policy's scores {@code s}. */
    private List<RankingDiagnostics.Pair> diagnosed(int[] rows, Scores s) {
        List<RankingDiagnostics.Pair> out = new ArrayList<>(rows.length);
        for (int k = 0; k < rows.length; k++) {
            Pair p = pairs.get(rows[k]);
            out.add(new RankingDiagnostics.Pair(s.chosen()[k], s.rejected()[k], referenceChosen[rows[k]], referenceRejected[rows[k]],
                    p.chosen().length, p.rejected().length, p.preferenceShare()));
        }
        return out;
    }

    /**
     * Ranking-diagnostics pairs of the held-out pairs (or of all pairs when nothing is held out) under the current
     * policy, with their task families: what {@code fulcrum lm diagnose} computes, without reloading the models.
     */
    public List<RankingDiagnostics.Pair> heldOutDiagnostics(NDManager manager) {
        int[] rows = heldOut.length > 0 ? heldOut : allRows();
        computeReference(manager, rows);
        return diagnosed(rows, score(policy, manager, rows));
    }

    /** The task family of each pair {@link #heldOutDiagnostics} returns, in the same order. */
    public List<String> heldOutFamilies() {
        int[] rows = heldOut.length > 0 ? heldOut : allRows();
        return Arrays.stream(rows).mapToObj(i -> pairs.get(i).family()).toList();
    }

    /** {@code mean_j [lp_pi(y_j|x_j) - lp_ref(y_j|x_j)]} over responses sampled from the policy (temperature 1). */
    private double klToReference(NDManager manager) {
        int longestPrompt = klPrompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int budget = Math.min(settings.klMaxNewTokens(), policy.config().maxPositions() - longestPrompt);
        int eos = tokenizer.special().eos();
        GenerationConfig sampling = GenerationConfig.sampling(budget, 1.0, 0, 1.0, eos >= 0 ? new int[] {eos} : new int[0]);
        List<Completion> samples = new Generator(policy).generate(manager, klPrompts, sampling, new Rng(klSeed));
        List<int[]> completions = samples.stream().map(Completion::tokens).toList();
        try (NDScope ignored = new NDScope()) {
            NDArray lpPolicy = SequenceScorer.score(policy, manager, klPrompts, completions).sums();
            NDArray lpReference = SequenceScorer.score(reference, manager, klPrompts, completions).sums();
            return lpPolicy.sub(lpReference).mean().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    @Override
    public void export(Path dir, Path tokenizerDir) {
        HfCheckpoint.save(policy, dir, tokenizerDir);
    }

    @Override
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("data", Map.of("path", dataPath, "pairs", pairs.size(), "prompts", prompts, "train_pairs", train.length,
                "heldout_pairs", heldOut.length, "heldout_prompts", heldOutPrompts));
        s.put("parameters", policy.parameterCount());
        s.put("loss", objective.name());
        s.put("preference", settings);
        s.put("reference", Map.of("model", referenceSource, "mode", settings.referenceMode(), "scores", referenceOrigin));
        if (lastEvaluation != null) {
            s.put("evaluation", lastEvaluation);
        }
        return s;
    }
}
