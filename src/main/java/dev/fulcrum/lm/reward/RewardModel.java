package dev.fulcrum.lm.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scalar reward model: a {@link DecoderLm} trunk and a linear head without bias on the final hidden state of each
 * sequence's last real token, {@code r(x, y) = w . h_last(<bos> x y <eos>)}. This is Hugging Face's
 * {@code *ForSequenceClassification} with {@code num_labels = 1} (the layout TRL's reward trainer produces): trunk tensors
 * under the causal model's names, head {@code score.weight} of shape {@code [1, hidden]}, the reward read at the last
 * non-padding token. The trunk's own output head is unused (and not saved).
 *
 * <p>Saved as a Hugging Face directory: {@code config.json} (the trunk's, with {@code architectures} set to the
 * sequence-classification class, {@code num_labels} 1 and {@code pad_token_id}), {@code model.safetensors}, tokenizer files.
 */
public final class RewardModel implements Module {
    public static final String HEAD = "score.weight";
    private final DecoderLm trunk;
    private final NDArray head;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    private RewardModel(DecoderLm trunk, NDArray head) {
        this.trunk = trunk;
        this.head = head;
        String unusedHead = unusedHeadName(trunk.config());
        trunk.parameters().forEach((name, p) -> {
            if (!name.equals(unusedHead)) {
                parameters.put(name, p);
            }
        });
        parameters.put(HEAD, head);
    }

    /** A reward model on {@code trunk} (fresh or pre-trained, e.g. an SFT model) with a new head drawn N(0, 0.02). */
    public static RewardModel withNewHead(NDManager manager, DecoderLm trunk, Rng rng) {
        int hidden = trunk.config().hiddenSize();
        double[] w = new double[hidden];
        for (int i = 0; i < hidden; i++) {
            w[i] = 0.02 * rng.gaussian();
        }
        NDArray head = manager.create(w, new Shape(1, hidden));
        if (trunk.dtype() != DataType.FLOAT64) {
            NDArray converted = head.toType(trunk.dtype(), false);
            head.close();
            head = converted;
        }
        NDScope.unregister(head);
        head.setRequiresGradient(true);
        return new RewardModel(trunk, head);
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

    /**
     * Rewards {@code [N]} of complete token sequences (prompt and response, special tokens included), right-padded in one
     * batch. Call inside an {@code NDScope}; inside a {@code Torch.Tape} for gradients.
     */
    public NDArray rewards(NDManager manager, List<int[]> sequences) {
        TokenBatch batch = TokenBatch.of(sequences, 0, TokenBatch.Padding.RIGHT);
        NDArray hidden = trunk.hiddenStates(batch.idTensor(manager), batch.positionTensor(manager),
                batch.causalBias(manager, trunk.dtype()), null);
        float[] last = new float[batch.rows() * batch.length()];
        for (int r = 0; r < batch.rows(); r++) {
            last[r * batch.length() + sequences.get(r).length - 1] = 1f;
        }
        NDArray select = manager.create(last, new Shape(batch.rows(), batch.length(), 1)).toType(trunk.dtype(), false);
        NDArray lastHidden = hidden.mul(select).sum(new int[] {1}); // [N, hidden]: each row's last real position
        return lastHidden.matMul(head.transpose()).squeeze(1);
    }

    /** Rewards of sequences as numbers, in batches of {@code batchSize}, without gradients. */
    public double[] score(NDManager manager, List<int[]> sequences, int batchSize) {
        double[] out = new double[sequences.size()];
        for (int from = 0; from < sequences.size(); from += batchSize) {
            int to = Math.min(sequences.size(), from + batchSize);
            try (NDScope ignored = new NDScope()) {
                double[] r = rewards(manager, sequences.subList(from, to)).toType(DataType.FLOAT64, false).toDoubleArray();
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
        ObjectNode config = HfConfig.toJson(config(), trunk.dtype() == DataType.FLOAT64 ? "float64" : "float32");
        String causal = config.get("architectures").get(0).asText();
        config.putArray("architectures").add(causal.replace("ForCausalLM", "ForSequenceClassification")
                .replace("LMHeadModel", "ForSequenceClassification"));
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
        NDArray head = null;
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            if (!reader.names().contains(HEAD)) {
                throw new IllegalArgumentException(file + ": no '" + HEAD + "' tensor: not a reward model (a causal LM? start a "
                        + "reward model from it with --init)");
            }
            for (String name : reader.names()) {
                NDArray t = reader.tensor(name).toNDArray(manager, dtype);
                if (name.equals(HEAD)) {
                    head = t;
                } else {
                    tensors.put(name, t);
                }
            }
        }
        if (!java.util.Arrays.equals(head.getShape().getShape(), new long[] {1, config.hiddenSize()})) {
            throw new IllegalArgumentException(file + ": '" + HEAD + "' has shape " + head.getShape() + ", expected (1, "
                    + config.hiddenSize() + ")");
        }
        String unusedHead = unusedHeadName(config);
        if (unusedHead != null && !tensors.containsKey(unusedHead)) {
            long[] shape = ParameterLayout.of(config).get(unusedHead).shape();
            tensors.put(unusedHead, manager.zeros(new Shape(shape), dtype)); // never read by a reward model
        }
        try {
            DecoderLm trunk = DecoderLm.fromTensors(manager, config, dtype, tensors);
            NDScope.unregister(head);
            head.setRequiresGradient(true);
            return new RewardModel(trunk, head);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage(), e);
        }
    }
}
