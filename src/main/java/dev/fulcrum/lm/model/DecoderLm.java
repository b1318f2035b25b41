package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only transformer language model: token (and, for GPT-2, position) embedding, {@link LmConfig#layers()}
 * residual blocks ({@link Gpt2Block} or {@link LlamaBlock}), a final norm and a linear head to vocabulary logits.
 * Parameters carry Hugging Face's names ({@link ParameterLayout}), so {@link #parameters()} is directly a
 * {@code model.safetensors} table.
 *
 * <p>Forward passes take ids, position ids and an additive attention bias (see {@link TokenBatch}); give them a
 * {@link KvCache} to decode incrementally. Call them inside an {@code NDScope}: every intermediate belongs to the
 * inputs' manager and the scope, never to the model. Gradients flow when called inside a {@code Torch.Tape}.
 */
public final class DecoderLm implements Module {
    private final LmConfig config;
    private final DataType dtype;
    private final Map<String, NDArray> parameters;
    private final List<DecoderBlock> blocks = new ArrayList<>();
    private final Rope rope;
    private final NDArray embedding;
    private final NDArray positionEmbedding;
    private final NDArray finalNormWeight;
    private final NDArray finalNormBias;
    private final NDArray headWeight;

    private DecoderLm(NDManager manager, LmConfig config, DataType dtype, Map<String, NDArray> parameters) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            throw new IllegalArgumentException("models compute in FLOAT32 or FLOAT64, not " + dtype);
        }
        this.config = config;
        this.dtype = dtype;
        this.parameters = Collections.unmodifiableMap(parameters);
        boolean gpt2 = config.family() == LmConfig.Family.GPT2;
        this.rope = gpt2 ? null : new Rope(manager, config.headDim(), config.maxPositions(), config.ropeTheta(), dtype);
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(gpt2 ? new Gpt2Block(parameters, config, i) : new LlamaBlock(parameters, config, i, rope));
        }
        this.embedding = parameters.get(ParameterLayout.embeddingName(config));
        this.positionEmbedding = gpt2 ? parameters.get("transformer.wpe.weight") : null;
        this.finalNormWeight = parameters.get(gpt2 ? "transformer.ln_f.weight" : "model.norm.weight");
        this.finalNormBias = gpt2 ? parameters.get("transformer.ln_f.bias") : null;
        this.headWeight = parameters.get(ParameterLayout.headWeightName(config));
    }

    /**
     * A freshly initialised model (GPT-2 / Hugging Face initialisation): weights normal(0, 0.02), projections into the
     * residual stream of GPT-2 normal(0, 0.02 / sqrt(2 layers)), biases 0, norm weights 1. Draws from {@code rng} in
     * {@link ParameterLayout} order. Build it outside any {@code NDScope}.
     */
    public static DecoderLm initialise(NDManager manager, LmConfig config, DataType dtype, Rng rng) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        double residualStd = 0.02 / Math.sqrt(2.0 * config.layers());
        ParameterLayout.of(config).forEach((name, entry) -> {
            int n = Math.toIntExact(Arrays.stream(entry.shape()).reduce(1, Math::multiplyExact));
            double[] values = new double[n];
            switch (entry.kind()) {
                case WEIGHT -> fillGaussian(values, 0.02, rng);
                case RESIDUAL_WEIGHT -> fillGaussian(values, config.family() == LmConfig.Family.GPT2 ? residualStd : 0.02, rng);
                case NORM_WEIGHT -> Arrays.fill(values, 1.0);
                case BIAS, NORM_BIAS -> {
                }
            }
            NDArray a = manager.create(values, new Shape(entry.shape()));
            p.put(name, dtype == DataType.FLOAT64 ? a : convert(a, dtype));
        });
        return adopt(manager, config, dtype, p);
    }

    private static void fillGaussian(double[] values, double std, Rng rng) {
        for (int i = 0; i < values.length; i++) {
            values[i] = std * rng.gaussian();
        }
    }

    private static NDArray convert(NDArray a, DataType dtype) {
        NDArray c = a.toType(dtype, false);
        a.close();
        return c;
    }

    /**
     * A model over existing tensors (a loaded checkpoint): {@code tensors} must hold exactly the names and shapes of
     * {@link ParameterLayout#of}, in {@code dtype}; the model takes them over (they become its trainable parameters).
     */
    public static DecoderLm fromTensors(NDManager manager, LmConfig config, DataType dtype, Map<String, NDArray> tensors) {
        Map<String, ParameterLayout.Entry> layout = ParameterLayout.of(config);
        List<String> missing = layout.keySet().stream().filter(k -> !tensors.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing parameters: " + preview(missing));
        }
        List<String> unexpected = tensors.keySet().stream().filter(k -> !layout.containsKey(k)).toList();
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("unexpected parameters: " + preview(unexpected));
        }
        Map<String, NDArray> p = new LinkedHashMap<>();
        layout.forEach((name, entry) -> {
            NDArray t = tensors.get(name);
            if (!Arrays.equals(t.getShape().getShape(), entry.shape())) {
                throw new IllegalArgumentException("parameter " + name + " has shape " + t.getShape() + ", the config implies "
                        + new Shape(entry.shape()));
            }
            if (t.getDataType() != dtype) {
                throw new IllegalArgumentException("parameter " + name + " is " + t.getDataType() + ", the model computes in " + dtype);
            }
            p.put(name, t);
        });
        return adopt(manager, config, dtype, p);
    }

    private static DecoderLm adopt(NDManager manager, LmConfig config, DataType dtype, Map<String, NDArray> p) {
        p.values().forEach(t -> {
            NDScope.unregister(t);
            t.setRequiresGradient(true);
        });
        return new DecoderLm(manager, config, dtype, p);
    }

    private static String preview(List<String> names) {
        return names.size() <= 6 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 6)) + " ... (" + names.size() + " in all)";
    }

    public LmConfig config() {
        return config;
    }

    public DataType dtype() {
        return dtype;
    }

    /** A copy of this model with its own parameter tensors, none of them trainable (a frozen reference). */
    public DecoderLm frozenCopy(NDManager manager) {
        Map<String, NDArray> copies = new java.util.LinkedHashMap<>();
        parameters.forEach((name, p) -> copies.put(name, p.duplicate()));
        DecoderLm copy = fromTensors(manager, config, dtype, copies);
        copy.parameters().values().forEach(p -> p.setRequiresGradient(false));
        return copy;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * The final (normed) hidden states {@code [B, T, hidden]} of {@code ids} {@code [B, T]} (int64) at
     * {@code positions} {@code [B, T]} (int64) under the additive attention {@code bias} {@code [B, 1, T, past + T]}.
     * With a {@code cache}, the new keys and values are appended to it and attention also covers its
     * {@code past = cache.length()} positions.
     */
    public NDArray hiddenStates(NDArray ids, NDArray positions, NDArray bias, KvCache cache) {
        NDArray x = Layers.embedding(ids, embedding);
        NDArray[] angles = null;
        if (positionEmbedding != null) {
            x = x.add(Layers.embedding(positions, positionEmbedding));
        } else {
            angles = rope.angles(positions);
        }
        DecoderBlock.Pass pass = new DecoderBlock.Pass(CausalAttention.forGroups(bias, config.groupSize()), angles, cache);
        for (DecoderBlock block : blocks) {
            x = block.forward(x, pass);
        }
        if (cache != null) {
            cache.advance(Math.toIntExact(ids.getShape().get(1)));
        }
        return finalNormBias != null ? Layers.layerNorm(x, finalNormWeight, finalNormBias, config.normEps())
                : Layers.rmsNorm(x, finalNormWeight, config.normEps());
    }

    /** Vocabulary logits {@code [..., vocab]} of hidden states {@code [..., hidden]}. */
    public NDArray head(NDArray hidden) {
        return Layers.linear(hidden, headWeight, null);
    }

    /** Logits {@code [B, T, vocab]} of a padded batch (no cache): the training forward. */
    public NDArray logits(NDManager manager, TokenBatch batch) {
        checkLength(batch.length());
        return head(hiddenStates(batch.idTensor(manager), batch.positionTensor(manager), batch.causalBias(manager, dtype), null));
    }

    /** A KV cache for {@code batch} rows of up to {@code capacity} positions. */
    public KvCache newCache(NDManager manager, int batch, int capacity) {
        return new KvCache(manager, config, batch, capacity, dtype);
    }

    void checkLength(int length) {
        if (length > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + length + " exceeds the model's maxPositions "
                    + config.maxPositions());
        }
    }
}
