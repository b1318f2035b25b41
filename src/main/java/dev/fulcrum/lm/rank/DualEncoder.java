package dev.fulcrum.lm.rank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.nn.Linear;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.ParameterLayout;
import dev.fulcrum.lm.model.TokenBatch;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dual encoder on our decoder transformer with one shared tower: a text becomes {@code <bos> prefix text <eos>}
 * ({@code "query: "} or {@code "document: "}, so the tower knows which side it encodes), the {@link DecoderLm} trunk's
 * final hidden states are pooled ({@link EncoderSettings#pooling()}), projected linearly and L2-normalised:
 * <pre>
 *   e(x) = W pool(h(x)) + b,   s(q, d) = cos(e(q), e(d)) / tau
 * </pre>
 * The trunk's output head is not used (and not trained). Saved as a folder: {@code encoder.json} (the settings),
 * {@code model/} (the trunk as a Hugging Face directory with its tokenizer) and {@code projection.safetensors}.
 */
public final class DualEncoder implements Module {
    public static final String QUERY_PREFIX = "query: ";
    public static final String DOCUMENT_PREFIX = "document: ";
    public static final String SETTINGS_FILE = "encoder.json";
    public static final String TRUNK_DIR = "model";
    public static final String PROJECTION_FILE = "projection.safetensors";
    private final DecoderLm trunk;
    private final Linear projection;
    private final Tokenizer tokenizer;
    private final EncoderSettings settings;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    private DualEncoder(DecoderLm trunk, Linear projection, Tokenizer tokenizer, EncoderSettings settings) {
        this.trunk = trunk;
        this.projection = projection;
        this.tokenizer = tokenizer;
        this.settings = settings;
        String head = ParameterLayout.headWeightName(trunk.config());
        boolean tied = head.equals(ParameterLayout.embeddingName(trunk.config()));
        trunk.parameters().forEach((name, p) -> {
            if (tied || !name.equals(head)) {
                parameters.put("trunk." + name, p);
            }
        });
        if (!tied) {
            trunk.parameters().get(head).setRequiresGradient(false);
        }
        projection.parameters().forEach((name, p) -> parameters.put("projection." + name, p));
    }

    /** A new encoder on {@code trunk} (pre-trained or fresh) with a freshly initialised projection. Outside any scope. */
    public static DualEncoder withNewProjection(NDManager manager, DecoderLm trunk, Tokenizer tokenizer, EncoderSettings settings,
                                                Rng rng) {
        if (tokenizer.vocabSize() > trunk.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model only "
                    + trunk.config().vocabSize());
        }
        Linear projection = new Linear(manager, trunk.config().hiddenSize(), settings.dimension(), trunk.dtype(), rng);
        return new DualEncoder(trunk, projection, tokenizer, settings);
    }

    public EncoderSettings settings() {
        return settings;
    }

    public DecoderLm trunk() {
        return trunk;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Trainable parameters: {@code trunk.*} (Hugging Face names; without an untied output head) and {@code projection.*}. */
    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** The token ids of {@code prefix + text} between BOS and EOS (where the tokenizer has them), cut to maxTokens. */
    public int[] tokens(String prefix, String text) {
        int[] body = tokenizer.encode(prefix + text);
        Tokenizer.SpecialTokens s = tokenizer.special();
        int extra = (s.bos() >= 0 ? 1 : 0) + (s.eos() >= 0 ? 1 : 0);
        int keep = Math.min(body.length, settings.maxTokens() - extra);
        int[] out = new int[keep + extra];
        int at = 0;
        if (s.bos() >= 0) {
            out[at++] = s.bos();
        }
        System.arraycopy(body, 0, out, at, keep);
        at += keep;
        if (s.eos() >= 0) {
            out[at] = s.eos();
        }
        return out;
    }

    /**
     * Unit-norm embeddings {@code [N, dimension]} of token sequences (from {@link #tokens}). Call inside an
     * {@code NDScope}; inside a {@code Torch.Tape} for gradients.
     */
    public NDArray embed(NDManager manager, List<int[]> sequences) {
        TokenBatch batch = TokenBatch.of(sequences, 0, TokenBatch.Padding.RIGHT);
        NDArray hidden = trunk.hiddenStates(batch.idTensor(manager), batch.positionTensor(manager),
                batch.causalBias(manager, trunk.dtype()), null); // [N, T, H]
        float[] weights = new float[batch.rows() * batch.length()];
        for (int r = 0; r < batch.rows(); r++) {
            int n = sequences.get(r).length;
            if (settings.pooling().equals("mean")) {
                for (int j = 0; j < n; j++) {
                    weights[r * batch.length() + j] = 1f / n;
                }
            } else {
                weights[r * batch.length() + n - 1] = 1f;
            }
        }
        NDArray w = manager.create(weights, new Shape(batch.rows(), batch.length(), 1)).toType(trunk.dtype(), false);
        NDArray pooled = hidden.mul(w).sum(new int[] {1});
        NDArray e = projection.forward(pooled);
        NDArray norm = e.square().sum(new int[] {1}, true).add(Scalars.of(e, 1e-12)).sqrt();
        return e.div(norm);
    }

    /** Scores {@code [B, M]} of query embeddings {@code [B, d]} against document embeddings {@code [M, d]}. */
    public NDArray scores(NDArray queries, NDArray documents) {
        return queries.matMul(documents.transpose()).mul(Scalars.of(queries, 1.0 / settings.temperature()));
    }

    /** Embeddings of texts as Java arrays, in batches, without gradients. */
    public float[][] embedTexts(NDManager manager, String prefix, List<String> texts, int batchSize) {
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += batchSize) {
            int to = Math.min(texts.size(), from + batchSize);
            List<int[]> seqs = new ArrayList<>();
            for (String t : texts.subList(from, to)) {
                seqs.add(tokens(prefix, t));
            }
            try (NDScope ignored = new NDScope()) {
                float[] flat = embed(manager, seqs).toType(DataType.FLOAT32, false).toFloatArray();
                int d = flat.length / (to - from);
                for (int i = from; i < to; i++) {
                    out[i] = java.util.Arrays.copyOfRange(flat, (i - from) * d, (i - from + 1) * d);
                }
            }
        }
        return out;
    }

    /**
     * Dense retrieval over the whole corpus: the {@code k} best document ids of every query of {@code task} by
     * {@code cos / tau}, best first.
     */
    public List<List<String>> retrieve(NDManager manager, Retrieval task, int k, int batchSize) {
        float[][] docs = embedTexts(manager, DOCUMENT_PREFIX, task.documentTexts(), batchSize);
        float[][] queries = embedTexts(manager, QUERY_PREFIX, task.queries().stream().map(Retrieval.JudgedQuery::text).toList(),
                batchSize);
        List<List<String>> out = new ArrayList<>();
        for (float[] q : queries) {
            double[] s = new double[docs.length];
            for (int d = 0; d < docs.length; d++) {
                double dot = 0;
                for (int i = 0; i < q.length; i++) {
                    dot += q[i] * docs[d][i];
                }
                s[d] = dot;
            }
            out.add(Retrieval.topIds(task.documentIds(), s, k));
        }
        return out;
    }

    /** Writes the encoder folder (see the class description); {@code tokenizerDir} holds the tokenizer files. */
    public void save(Path dir, Path tokenizerDir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        HfCheckpoint.save(trunk, dir.resolve(TRUNK_DIR), tokenizerDir);
        Safetensors.write(dir.resolve(PROJECTION_FILE), projection.parameters(), Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(SETTINGS_FILE), Json.pretty(settings) + "\n");
    }

    /** Whether {@code dir} holds an encoder folder. */
    public static boolean isEncoder(Path dir) {
        return Files.isRegularFile(dir.resolve(SETTINGS_FILE)) && Files.isRegularFile(dir.resolve(PROJECTION_FILE));
    }

    /** Loads an encoder folder {@link #save} wrote, computing in float32. Outside any scope. */
    public static DualEncoder load(Path dir, NDManager manager) {
        if (!isEncoder(dir)) {
            throw new IllegalArgumentException(dir + " is not an encoder folder (needs " + SETTINGS_FILE + " and " + PROJECTION_FILE
                    + ")");
        }
        EncoderSettings settings;
        try {
            settings = Json.COMPACT.readValue(dir.resolve(SETTINGS_FILE).toFile(), EncoderSettings.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(dir.resolve(SETTINGS_FILE) + ": unreadable encoder settings: " + e.getMessage(), e);
        }
        DecoderLm trunk = HfCheckpoint.load(dir.resolve(TRUNK_DIR), manager, DataType.FLOAT32);
        Tokenizer tokenizer = TokenizerFiles.ofModel(dir.resolve(TRUNK_DIR));
        DualEncoder encoder = withNewProjection(manager, trunk, tokenizer, settings, new Rng(0));
        Safetensors.Contents c = Safetensors.read(dir.resolve(PROJECTION_FILE));
        encoder.projection.parameters().forEach((name, p) -> {
            Safetensors.Tensor t = c.tensors().get(name);
            if (t == null) {
                throw new IllegalArgumentException(dir.resolve(PROJECTION_FILE) + ": no tensor '" + name + "'");
            }
            try (NDArray a = t.toNDArray(manager)) {
                if (!a.getShape().equals(p.getShape())) {
                    throw new IllegalArgumentException(dir.resolve(PROJECTION_FILE) + ": '" + name + "' has shape " + a.getShape()
                            + ", expected " + p.getShape());
                }
                p.set(a.toType(p.getDataType(), false).toByteBuffer());
            }
        });
        return encoder;
    }
}
