package dev.fulcrum.lm.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.io.HfConfig;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.ParameterLayout;
import dev.fulcrum.lm.model.TokenBatch;
import dev.fulcrum.lm.model.TokenLogProbs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scalar reward model on a {@link DecoderLm} trunk, with one of three heads.
 *
 * <p><b>Last token</b> ({@link #withNewHead}): a linear head without bias on the final hidden state of each sequence's
 * last real token, {@code r(x, y) = w . h_last(<bos> x y <eos>)}. This is Hugging Face's
 * {@code *ForSequenceClassification} with {@code num_labels = 1} (the layout TRL's reward trainer produces): trunk tensors
 * under the causal model's names, head {@code score.weight} of shape {@code [1, hidden]}, the reward read at the last
 * non-padding token. The trunk's own output head is unused (and not saved).
 *
 * <p><b>Last token plus gated likelihood</b> ({@link #withLikelihoodHead}): the same term plus the response's token
 * log-probabilities under the trunk's own language-model head, each weighted by a learnt gate read from the state that
 * predicts it. With {@code z = <bos> x y <eos>}, {@code s} the position of the first response token and {@code T} that of
 * {@code <eos>}:
 * <pre>
 *   r(x, y) = w . h_T  +  sum_{t=s..T} (u . h_{t-1} + c) log p(z_t | z_{&lt;t})
 * </pre>
 * The last-token head must compute a verdict on the whole response in the one state of {@code <eos>}; the likelihood
 * term lets each response token be judged where the model predicts it (is this digit the sum's next digit? does the
 * answer copy the tool's result?), which is where a fine-tuned language model already holds that knowledge (the
 * reading of a response's likelihood as a reward is DPO's, Rafailov et al. 2023, eq. 5, here without the reference
 * model and with a learnt per-token weight). Gate {@code u, c} ({@code likelihood_gate.weight [1, hidden]},
 * {@code likelihood_gate.bias [1]}) starts at zero (its bias may start elsewhere), so training starts from the
 * last-token model. Saved as the causal model (its output head is part of the reward) plus {@code score.weight} and the
 * gate, with {@code fulcrum_reward_head: "last-token+likelihood"} in {@code config.json}: Hugging Face loads the language
 * model, not the reward.
 *
 * <p><b>Last token plus gated reference likelihood</b> ({@link #withReferenceLikelihoodHead}): the same, but the
 * log-probabilities come from a frozen copy of the initial model, {@code log p_ref(z_t | z_<t)}, while head and gate read
 * the trained trunk. Reward training moves the trunk, and with it the trunk's own predictions (measured: a reward model
 * that started from a model which adds lost its ranking of right against off-by-one answers); the reference keeps them
 * as they were, and the trunk learns which of them to trust. Saved as the last-token model's directory plus the
 * reference as a Hugging Face causal model in {@code reference/}, and {@code fulcrum_reward_head:
 * "last-token+reference-likelihood"} (Hugging Face reads the last-token part only).
 *
 * <p><b>Last token plus both likelihoods</b> ({@link #withDualLikelihoodHead}): both gated terms, each with its own gate,
 * <pre>
 *   r(x, y) = w . h_T  +  sum_{t=s..T} (u . h_{t-1} + c) log p(z_t | z_{&lt;t})  +  sum_{t=s..T} (u' . h_{t-1} + c') log p_ref(z_t | z_{&lt;t})
 * </pre>
 * The trained likelihood learns what reward training teaches (whether an answer copies a tool's result), the frozen one
 * keeps what the base knew (measured: the reference's arithmetic survives training, the trunk's does not), and the
 * trunk learns where to trust which. Reference gate {@code u', c'} ({@code reference_gate.weight [1, hidden]},
 * {@code reference_gate.bias [1]}) starts at zero like the other. Saved as the likelihood head's directory (causal model,
 * {@code score.weight}, both gates) plus the reference in {@code reference/}, with {@code fulcrum_reward_head:
 * "last-token+dual-likelihood"}.
 *
 * <p>A last-token model is saved as a Hugging Face directory: {@code config.json} (the trunk's, with {@code architectures}
 * set to the sequence-classification class, {@code num_labels} 1 and {@code pad_token_id}), {@code model.safetensors}, tokenizer files.
 */
public final class RewardModel implements Module {
    public static final String HEAD = "score.weight";
    public static final String GATE_WEIGHT = "likelihood_gate.weight";
    public static final String GATE_BIAS = "likelihood_gate.bias";
    public static final String REFERENCE_GATE_WEIGHT = "reference_gate.weight";
    public static final String REFERENCE_GATE_BIAS = "reference_gate.bias";
    /** The {@code config.json} key naming a head other than Hugging Face's last-token one. */
    public static final String HEAD_KEY = "fulcrum_reward_head";
    public static final String LAST_TOKEN_HEAD = "last-token";
    public static final String LIKELIHOOD_HEAD = "last-token+likelihood";
    public static final String REFERENCE_LIKELIHOOD_HEAD = "last-token+reference-likelihood";
    public static final String DUAL_LIKELIHOOD_HEAD = "last-token+dual-likelihood";
    /** The heads' names, as {@code reward.head} takes them. */
    public static final List<String> HEADS = List.of(LAST_TOKEN_HEAD, LIKELIHOOD_HEAD, REFERENCE_LIKELIHOOD_HEAD, DUAL_LIKELIHOOD_HEAD);
    /** The subdirectory of a saved reward model holding its frozen reference. */
    public static final String REFERENCE_DIR = "reference";
    private final DecoderLm trunk;
    private final NDArray head;
    private final String kind; // one of HEADS
    private final Gate gate; // null for the last-token head; gates the reference's log-probabilities in the
                             // reference-likelihood head, the trunk's in the other two
    private final Gate referenceGate; // the dual head's gate of the reference's log-probabilities, else null
    private final DecoderLm reference; // the frozen source of log-probabilities (reference and dual heads), else null
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    private RewardModel(String kind, DecoderLm trunk, NDArray head, Gate gate, Gate referenceGate, DecoderLm reference) {
        this.kind = kind;
        this.trunk = trunk;
        this.head = head;
        this.gate = gate;
        this.referenceGate = referenceGate;
        this.reference = reference;
        if ((gate == null) != kind.equals(LAST_TOKEN_HEAD) || (referenceGate != null) != kind.equals(DUAL_LIKELIHOOD_HEAD)
                || (reference != null) != readsReference(kind)) {
            throw new IllegalArgumentException("head " + kind + " does not match its parts");
        }
        String unusedHead = readsTrunkLikelihood() ? null : unusedHeadName(trunk.config());
        trunk.parameters().forEach((name, p) -> {
            if (!name.equals(unusedHead)) {
                parameters.put(name, p);
            }
        });
        parameters.put(HEAD, head);
        if (gate != null) {
            parameters.put(GATE_WEIGHT, gate.weight());
            parameters.put(GATE_BIAS, gate.bias());
        }
        if (referenceGate != null) {
            parameters.put(REFERENCE_GATE_WEIGHT, referenceGate.weight());
            parameters.put(REFERENCE_GATE_BIAS, referenceGate.bias());
        }
    }

    /** A likelihood gate {@code u . h + c}: weight {@code [1, hidden]}, bias {@code [1]}. */
    private record Gate(NDArray weight, NDArray bias) {
        /** The gate's value at each state: {@code [N, T, hidden]} states give {@code [N, T]}. */
        NDArray at(NDArray states) {
            return states.matMul(weight.transpose()).squeeze(2).add(bias);
        }
    }

    /** A reward model on {@code trunk} (fresh or pre-trained, e.g. an SFT model) with a new head drawn N(0, 0.02). */
    public static RewardModel withNewHead(NDManager manager, DecoderLm trunk, Rng rng) {
        return new RewardModel(LAST_TOKEN_HEAD, trunk, newHead(manager, trunk, rng), null, null, null);
    }

    /**
     * A reward model on {@code trunk} that also reads the response's gated token log-probabilities (class comment): head
     * N(0, 0.02) as in {@link #withNewHead}, gate zero.
     */
    public static RewardModel withLikelihoodHead(NDManager manager, DecoderLm trunk, Rng rng) {
        return withLikelihoodHead(manager, trunk, 0, rng);
    }

    /** As {@link #withLikelihoodHead(NDManager, DecoderLm, Rng)} with the gate's bias {@code c} starting at {@code gateBias}. */
    public static RewardModel withLikelihoodHead(NDManager manager, DecoderLm trunk, double gateBias, Rng rng) {
        return new RewardModel(LIKELIHOOD_HEAD, trunk, newHead(manager, trunk, rng), newGate(manager, trunk, gateBias), null, null);
    }

    /**
     * A reward model on {@code trunk} that also reads gated token log-probabilities of a frozen copy of the trunk as it is
     * now (class comment): head N(0, 0.02), gate weights zero, gate bias {@code gateBias}.
     */
    public static RewardModel withReferenceLikelihoodHead(NDManager manager, DecoderLm trunk, double gateBias, Rng rng) {
        return new RewardModel(REFERENCE_LIKELIHOOD_HEAD, trunk, newHead(manager, trunk, rng), newGate(manager, trunk, gateBias),
                null, trunk.frozenCopy(manager));
    }

    /**
     * A reward model on {@code trunk} that reads both the trunk's own and a frozen copy's gated token log-probabilities
     * (class comment): head N(0, 0.02), gate weights zero, both gate biases {@code gateBias}.
     */
    public static RewardModel withDualLikelihoodHead(NDManager manager, DecoderLm trunk, double gateBias, Rng rng) {
        return new RewardModel(DUAL_LIKELIHOOD_HEAD, trunk, newHead(manager, trunk, rng), newGate(manager, trunk, gateBias),
                newGate(manager, trunk, gateBias), trunk.frozenCopy(manager));
    }

    private static Gate newGate(NDManager manager, DecoderLm trunk, double bias) {
        int hidden = trunk.config().hiddenSize();
        return new Gate(parameter(manager, new double[hidden], new Shape(1, hidden), trunk),
                parameter(manager, new double[] {bias}, new Shape(1), trunk));
    }

    /**
     * A reward model with the head {@code kind} names ({@link #HEADS}), a likelihood gate's bias starting at
     * {@code gateBias}.
     */
    public static RewardModel withNewHead(NDManager manager, DecoderLm trunk, String kind, double gateBias, Rng rng) {
        return switch (kind) {
            case LAST_TOKEN_HEAD -> withNewHead(manager, trunk, rng);
            case LIKELIHOOD_HEAD -> withLikelihoodHead(manager, trunk, gateBias, rng);
            case REFERENCE_LIKELIHOOD_HEAD -> withReferenceLikelihoodHead(manager, trunk, gateBias, rng);
            case DUAL_LIKELIHOOD_HEAD -> withDualLikelihoodHead(manager, trunk, gateBias, rng);
            default -> throw new IllegalArgumentException("unknown reward head '" + kind + "' (one of " + HEADS + ")");
        };
    }

    private static NDArray newHead(NDManager manager, DecoderLm trunk, Rng rng) {
        int hidden = trunk.config().hiddenSize();
        double[] w = new double[hidden];
        for (int i = 0; i < hidden; i++) {
            w[i] = 0.02 * rng.gaussian();
        }
        return parameter(manager, w, new Shape(1, hidden), trunk);
    }

    private static NDArray parameter(NDManager manager, double[] values, Shape shape, DecoderLm trunk) {
        NDArray p = manager.create(values, shape);
        if (trunk.dtype() != DataType.FLOAT64) {
            NDArray converted = p.toType(trunk.dtype(), false);
            p.close();
            p = converted;
        }
        NDScope.unregister(p);
        p.setRequiresGradient(true);
        return p;
    }

    /**
     * This model's trunk and last-token head alone, sharing their tensors ({@code this} when it has no likelihood term): a
     * critic initialised from a reward model reads per-token values through the head only.
     */
    public RewardModel lastTokenPart() {
        return gate == null ? this : new RewardModel(LAST_TOKEN_HEAD, trunk, head, null, null, null);
    }

    /** The head's name, one of {@link #HEADS}. */
    public String headKind() {
        return kind;
    }

    /** Whether the reward reads the trunk's own language-model predictions (the likelihood and dual heads). */
    public boolean readsTrunkLikelihood() {
        return readsTrunkLikelihood(kind);
    }

    /** Whether head {@code kind} reads the trunk's own language-model predictions (the likelihood and dual heads). */
    public static boolean readsTrunkLikelihood(String kind) {
        return kind.equals(LIKELIHOOD_HEAD) || kind.equals(DUAL_LIKELIHOOD_HEAD);
    }

    /** Whether head {@code kind} reads a frozen reference's predictions (the reference-likelihood and dual heads). */
    private static boolean readsReference(String kind) {
        return kind.equals(REFERENCE_LIKELIHOOD_HEAD) || kind.equals(DUAL_LIKELIHOOD_HEAD);
    }

    /**
     * The frozen model a reward objective anchors the trunk's predictions to: the reference of a reference-likelihood or
     * dual head, else a frozen copy of the trunk as it is now (call before training; the copy lives with the model's tensors).
     */
    public DecoderLm frozenAnchor() {
        return reference != null ? reference : trunk.frozenCopy(head.getManager());
    }

    /** Whether rewards read the response's token likelihoods, so need to know where each response starts. */
    public boolean readsLikelihood() {
        return gate != null;
    }

    private static String unusedHeadName(LmConfig c) {
        String name = ParameterLayout.headWeightName(c);
        return name.equals(ParameterLayout.embeddingName(c)) ? null : name;
    }

    public DecoderLm trunk() {
        return trunk;
    }

    public LmConfig config() {
        return trunk.config();
    }

    /** Trunk (without its unused output head) and {@code score.weight}, under Hugging Face's names. */
    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** {@link #rewards(NDManager, List, int[])} of a last-token model, which needs no response starts. */
    public NDArray rewards(NDManager manager, List<int[]> sequences) {
        return rewards(manager, sequences, null);
    }

    /**
     * Rewards {@code [N]} of complete token sequences (prompt and response, special tokens included), right-padded in one
     * batch. {@code responseStarts[i]} is the position in {@code sequences.get(i)} of its first response token (at least 1,
     * below the length); a last-token model ignores it and accepts null. Call inside an {@code NDScope}; inside a
     * {@code Torch.Tape} for gradients.
     */
    public NDArray rewards(NDManager manager, List<int[]> sequences, int[] responseStarts) {
        return scored(manager, sequences, responseStarts).rewards();
    }

    /**
     * Rewards {@code [N]}; where the reward reads the trunk's own predictions ({@link #readsTrunkLikelihood()}), each
     * response's log-likelihood under the trunk {@code [N]}, {@code sum_{t=s..T} log p(z_t | z_<t)} (null for the other
     * heads); and, when an anchor model was given, each response's summed divergence of the trunk's next-token
     * distributions from the anchor's, {@code sum_{t=s..T} KL(p_anchor(. | z_<t) || p(. | z_<t))} {@code [N]} (else null).
     */
    public record Scored(NDArray rewards, NDArray responseLogLikelihoods, NDArray responseKlFromAnchor) {
    }

    /** {@link #rewards(NDManager, List, int[])} with the responses' log-likelihoods under the trunk ({@link Scored}). */
    public Scored scored(NDManager manager, List<int[]> sequences, int[] responseStarts) {
        return scored(manager, sequences, responseStarts, null);
    }

    /**
     * {@link #scored(NDManager, List, int[])}, and with {@code anchor} (a frozen model of the trunk's vocabulary, e.g. the
     * initial one; a likelihood head only) the divergence of the trunk's predictions on response positions from it.
     */
    public Scored scored(NDManager manager, List<int[]> sequences, int[] responseStarts, DecoderLm anchor) {
        if (anchor != null && gate == null) {
            throw new IllegalArgumentException("an anchor's divergence is measured on response positions: it needs a likelihood head");
        }
        if (gate != null) {
            checkStarts(sequences, responseStarts);
        }
        TokenBatch batch = TokenBatch.of(sequences, 0, TokenBatch.Padding.RIGHT);
        NDArray ids = batch.idTensor(manager), positions = batch.positionTensor(manager);
        NDArray bias = batch.causalBias(manager, trunk.dtype());
        NDArray hidden = trunk.hiddenStates(ids, positions, bias, null);
        int n = batch.rows(), width = batch.length();
        float[] last = new float[n * width];
        for (int r = 0; r < n; r++) {
            last[r * width + sequences.get(r).length - 1] = 1f;
        }
        NDArray select = manager.create(last, new Shape(n, width, 1)).toType(trunk.dtype(), false);
        NDArray lastHidden = hidden.mul(select).sum(new int[] {1}); // [N, hidden]: each row's last real position
        NDArray reward = lastHidden.matMul(head.transpose()).squeeze(1);
        if (gate == null) {
            return new Scored(reward, null, null);
        }
        // State t-1 predicts token t. Keep the states from the earliest response start on (the vocabulary projection is
        // the costly part), and of them the predictions of each row's response tokens s..T.
        int from = java.util.Arrays.stream(responseStarts).min().orElseThrow() - 1, cols = width - 1 - from;
        long[] targets = new long[n * cols];
        float[] mask = new float[n * cols];
        for (int r = 0; r < n; r++) {
            int[] s = sequences.get(r);
            for (int t = responseStarts[r]; t < s.length; t++) {
                targets[r * cols + t - 1 - from] = s[t];
                mask[r * cols + t - 1 - from] = 1f;
            }
        }
        NDIndex predictingStates = new NDIndex(":, {}:{}, :", from, width - 1);
        NDArray predicting = hidden.get(predictingStates); // [N, cols, hidden]
        NDArray targetIds = manager.create(targets, new Shape(n, cols));
        NDArray m = manager.create(mask, new Shape(n, cols)).toType(trunk.dtype(), false);
        NDArray trunkLogits = readsTrunkLikelihood() || anchor != null ? trunk.head(predicting) : null; // [N, cols, vocab]
        NDArray trunkLogProbs = readsTrunkLikelihood() ? TokenLogProbs.of(trunkLogits, targetIds).mul(m) : null;
        NDArray referenceLogProbs = reference == null ? null
                : TokenLogProbs.of(reference.head(reference.hiddenStates(ids, positions, bias, null).get(predictingStates)), targetIds)
                        .stopGradient().mul(m);
        NDArray gated = trunkLogProbs != null ? trunkLogProbs : referenceLogProbs; // the reference head gates the reference's
        reward = reward.add(gate.at(predicting).mul(gated).sum(new int[] {1}));
        if (referenceGate != null) {
            reward = reward.add(referenceGate.at(predicting).mul(referenceLogProbs).sum(new int[] {1}));
        }
        NDArray kl = null;
        if (anchor != null) {
            NDArray anchorLogits = anchor.head(anchor.hiddenStates(ids, positions, bias, null).get(predictingStates)).stopGradient();
            kl = TokenLogProbs.klDivergence(anchorLogits, trunkLogits).mul(m).sum(new int[] {1});
        }
        return new Scored(reward, trunkLogProbs == null ? null : trunkLogProbs.sum(new int[] {1}), kl);
    }

    private void checkStarts(List<int[]> sequences, int[] responseStarts) {
        if (responseStarts == null) {
            throw new IllegalArgumentException("this reward model reads response likelihoods (" + kind
                    + "): it needs where each response starts");
        }
        if (responseStarts.length != sequences.size()) {
            throw new IllegalArgumentException(responseStarts.length + " response starts for " + sequences.size() + " sequences");
        }
        for (int i = 0; i < responseStarts.length; i++) {
            if (responseStarts[i] < 1 || responseStarts[i] >= sequences.get(i).length) {
                throw new IllegalArgumentException("sequence " + i + " (" + sequences.get(i).length + " tokens): response start "
                        + responseStarts[i] + " is not in [1, length)");
            }
        }
    }

    /** Rewards of sequences as numbers, in batches of {@code batchSize}, without gradients (a last-token model). */
    public double[] score(NDManager manager, List<int[]> sequences, int batchSize) {
        return score(manager, sequences, null, batchSize);
    }

    /** Rewards of sequences as numbers, in batches of {@code batchSize}, without gradients. */
    public double[] score(NDManager manager, List<int[]> sequences, int[] responseStarts, int batchSize) {
        double[] out = new double[sequences.size()];
        for (int from = 0; from < sequences.size(); from += batchSize) {
            int to = Math.min(sequences.size(), from + batchSize);
            int[] starts = responseStarts == null ? null : java.util.Arrays.copyOfRange(responseStarts, from, to);
            try (NDScope ignored = new NDScope()) {
                double[] r = rewards(manager, sequences.subList(from, to), starts).toType(DataType.FLOAT64, false).toDoubleArray();
                System.arraycopy(r, 0, out, from, r.length);
            }
        }
        return out;
    }

    /** Writes the model as a Hugging Face sequence-classification directory; copies tokenizer files of {@code tokenizerDir}. */
    public void save(Path dir, Path tokenizerDir, int padTokenId) {
        try {
            Files.createDirectories(dir);
            Safetensors.write(dir.resolve(HfCheckpoint.WEIGHTS), parameters, Map.of("format", "pt"));
            if (tokenizerDir != null) {
                for (String f : HfCheckpoint.TOKENIZER_FILES) {
                    Path p = tokenizerDir.resolve(f);
                    if (Files.isRegularFile(p)) {
                        byte[] bytes = Files.readAllBytes(p);
                        AtomicFiles.write(dir.resolve(f), o -> o.write(bytes));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not save reward model to " + dir + ": " + e.getMessage(), e);
        }
        if (reference != null) {
            HfCheckpoint.save(reference, dir.resolve(REFERENCE_DIR), null);
        }
        ObjectNode config = HfConfig.toJson(config(), trunk.dtype() == DataType.FLOAT64 ? "float64" : "float32");
        if (!kind.equals(LAST_TOKEN_HEAD)) {
            config.put(HEAD_KEY, kind);
        }
        if (!readsTrunkLikelihood()) { // else the causal architecture stays: the output head is part of the reward
            String causal = config.get("architectures").get(0).asText();
            config.putArray("architectures").add(causal.replace("ForCausalLM", "ForSequenceClassification")
                    .replace("LMHeadModel", "ForSequenceClassification"));
        }
        config.put("num_labels", 1);
        if (padTokenId >= 0) {
            config.put("pad_token_id", padTokenId);
        }
        AtomicFiles.writeString(dir.resolve(HfCheckpoint.CONFIG), Json.pretty(config) + "\n");
    }

    /** Loads a directory {@link #save} wrote (or any single-file checkpoint of the same layout). */
    public static RewardModel load(Path dir, NDManager manager, DataType dtype) {
        LmConfig config = HfCheckpoint.config(dir);
        Path file = dir.resolve(HfCheckpoint.WEIGHTS);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + ": no " + HfCheckpoint.WEIGHTS + " (a reward model directory needs one)");
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            if (!reader.names().contains(HEAD)) {
                throw new IllegalArgumentException(file + ": no '" + HEAD + "' tensor: not a reward model (a causal LM? start a "
                        + "reward model from it with --init)");
            }
            for (String name : reader.names()) {
                tensors.put(name, reader.tensor(name).toNDArray(manager, dtype));
            }
        }
        String kind = headKind(dir);
        NDArray head = headTensor(tensors, HEAD, new long[] {1, config.hiddenSize()}, file);
        Gate gate = kind.equals(LAST_TOKEN_HEAD) ? null : gateTensors(tensors, GATE_WEIGHT, GATE_BIAS, config, file);
        Gate referenceGate = kind.equals(DUAL_LIKELIHOOD_HEAD)
                ? gateTensors(tensors, REFERENCE_GATE_WEIGHT, REFERENCE_GATE_BIAS, config, file) : null;
        DecoderLm reference = null;
        if (readsReference(kind)) {
            if (!Files.isDirectory(dir.resolve(REFERENCE_DIR))) {
                throw new IllegalArgumentException(dir + ": config.json names the head " + kind + " but there is no "
                        + REFERENCE_DIR + "/ directory with the frozen reference model");
            }
            reference = HfCheckpoint.load(dir.resolve(REFERENCE_DIR), manager, dtype);
            reference.parameters().values().forEach(p -> p.setRequiresGradient(false));
        }
        String unusedHead = unusedHeadName(config);
        if (unusedHead != null && !tensors.containsKey(unusedHead)) {
            if (readsTrunkLikelihood(kind)) {
                throw new IllegalArgumentException(file + ": no '" + unusedHead + "': a reward model that reads likelihoods needs "
                        + "its language-model head");
            }
            long[] shape = ParameterLayout.of(config).get(unusedHead).shape();
            tensors.put(unusedHead, manager.zeros(new Shape(shape), dtype)); // never read by a last-token reward model
        }
        try {
            return new RewardModel(kind, DecoderLm.fromTensors(manager, config, dtype, tensors), head, gate, referenceGate, reference);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage(), e);
        }
    }

    /** The head {@code dir/config.json} names ({@link #HEAD_KEY}; last-token where it names none). */
    private static String headKind(Path dir) {
        Path file = dir.resolve(HfCheckpoint.CONFIG);
        String kind;
        try {
            kind = Json.MAPPER.readTree(file.toFile()).path(HEAD_KEY).asText(LAST_TOKEN_HEAD);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
        }
        if (!HEADS.contains(kind)) {
            throw new IllegalArgumentException(file + ": unknown " + HEAD_KEY + " '" + kind + "' (one of " + HEADS + ")");
        }
        return kind;
    }

    private static Gate gateTensors(Map<String, NDArray> tensors, String weight, String bias, LmConfig config, Path file) {
        return new Gate(headTensor(tensors, weight, new long[] {1, config.hiddenSize()}, file),
                headTensor(tensors, bias, new long[] {1}, file));
    }

    /** Removes head tensor {@code name} from {@code tensors}, checks its shape and makes it a trainable parameter. */
    private static NDArray headTensor(Map<String, NDArray> tensors, String name, long[] shape, Path file) {
        NDArray t = tensors.remove(name);
        if (t == null) {
            throw new IllegalArgumentException(file + ": no '" + name + "' tensor (the head named in config.json needs it)");
        }
        if (!java.util.Arrays.equals(t.getShape().getShape(), shape)) {
            throw new IllegalArgumentException(file + ": '" + name + "' has shape " + t.getShape() + ", expected "
                    + new Shape(shape));
        }
        NDScope.unregister(t);
        t.setRequiresGradient(true);
        return t;
    }
}
