package dev.fulcrum.lm.model;

import dev.fulcrum.core.config.ConfigException;

/**
 * The shape of a decoder-only transformer, one record for both block families.
 *
 * <ul>
 *   <li>{@link Family#GPT2}: learned absolute positions, pre-LayerNorm blocks with biases, GELU (tanh approximation)
 *       MLP of width {@code intermediateSize}, fused q/k/v projection, output head tied to the token embedding
 *       (Radford et al. 2019). {@code kvHeads == heads}; {@code ropeTheta} is unused.</li>
 *   <li>{@link Family#LLAMA}: rotary position embedding with base {@code ropeTheta} (Su et al. 2021, rotate-half form as
 *       in Hugging Face checkpoints), pre-RMSNorm blocks, SwiGLU MLP (Shazeer 2020), grouped-query attention with
 *       {@code kvHeads} key/value heads shared by {@code heads / kvHeads} query heads each (Ainslie et al. 2023),
 *       optional tied head, optional biases on the attention projections ({@code attentionBias}: q/k/v/o as Llama's
 *       {@code attention_bias}; {@code qkvBiasOnly}: q/k/v only, as Qwen2) and on the MLP ({@code mlpBias}).</li>
 * </ul>
 *
 * @param headDim          width of one attention head (usually {@code hiddenSize / heads})
 * @param maxPositions     longest sequence (GPT-2: size of the position table; Llama: size of the rotary tables)
 * @param normEps          epsilon of LayerNorm (GPT-2) or RMSNorm (Llama)
 * @param bosTokenId       recorded for {@code config.json}; -1 when unknown
 * @param eosTokenId       recorded for {@code config.json}; -1 when unknown
 */
public record LmConfig(Family family, int vocabSize, int hiddenSize, int layers, int heads, int kvHeads, int headDim,
                       int intermediateSize, int maxPositions, double normEps, double ropeTheta, boolean tieEmbeddings,
                       boolean attentionBias, boolean qkvBiasOnly, boolean mlpBias, int bosTokenId, int eosTokenId) {

    public enum Family {
        GPT2, LLAMA
    }

    public LmConfig {
        if (family == null) {
            throw new ConfigException("family", "is missing");
        }
        positive("vocabSize", vocabSize);
        positive("hiddenSize", hiddenSize);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("intermediateSize", intermediateSize);
        positive("maxPositions", maxPositions);
        if (!(normEps > 0) || !Double.isFinite(normEps)) {
            throw new ConfigException("normEps", "must be a positive number, got " + normEps);
        }
        if (kvHeads > heads || heads % kvHeads != 0) {
            throw new ConfigException("kvHeads", "must divide heads (" + heads + "), got " + kvHeads);
        }
        if (family == Family.GPT2) {
            if (kvHeads != heads) {
                throw new ConfigException("kvHeads", "must equal heads for GPT-2, got " + kvHeads + " and " + heads);
            }
            if (headDim * heads != hiddenSize) {
                throw new ConfigException("heads", "must divide hiddenSize (" + hiddenSize + ") for GPT-2, got " + heads);
            }
            if (!tieEmbeddings) {
                throw new ConfigException("tieEmbeddings", "must be true for GPT-2");
            }
        } else {
            if (headDim % 2 != 0) {
                throw new ConfigException("headDim", "must be even for rotary embeddings, got " + headDim);
            }
            if (!(ropeTheta > 0) || !Double.isFinite(ropeTheta)) {
                throw new ConfigException("ropeTheta", "must be a positive number, got " + ropeTheta);
            }
            if (attentionBias && qkvBiasOnly) {
                throw new ConfigException("qkvBiasOnly", "cannot be combined with attentionBias");
            }
        }
        if (bosTokenId < -1 || bosTokenId >= vocabSize) {
            throw new ConfigException("bosTokenId", "must be -1 or a token id below vocabSize " + vocabSize + ", got " + bosTokenId);
        }
        if (eosTokenId < -1 || eosTokenId >= vocabSize) {
            throw new ConfigException("eosTokenId", "must be -1 or a token id below vocabSize " + vocabSize + ", got " + eosTokenId);
        }
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new ConfigException(field, "must be a positive integer, got " + v);
        }
    }

    /** A GPT-2 shape with the usual MLP width {@code 4 * hiddenSize} and LayerNorm epsilon 1e-5. */
    public static LmConfig gpt2(int vocabSize, int hiddenSize, int layers, int heads, int maxPositions) {
        if (heads <= 0 || hiddenSize % heads != 0) {
            throw new ConfigException("heads", "must divide hiddenSize (" + hiddenSize + "), got " + heads);
        }
        return new LmConfig(Family.GPT2, vocabSize, hiddenSize, layers, heads, heads, hiddenSize / heads, 4 * hiddenSize,
                maxPositions, 1e-5, 0, true, false, false, false, -1, -1);
    }

    /** A Llama shape without biases, RMSNorm epsilon 1e-6. */
    public static LmConfig llama(int vocabSize, int hiddenSize, int layers, int heads, int kvHeads, int intermediateSize,
                                 int maxPositions, double ropeTheta, boolean tieEmbeddings) {
        if (heads <= 0 || hiddenSize % heads != 0) {
            throw new ConfigException("heads", "must divide hiddenSize (" + hiddenSize + "), got " + heads);
        }
        return new LmConfig(Family.LLAMA, vocabSize, hiddenSize, layers, heads, kvHeads, hiddenSize / heads,
                intermediateSize, maxPositions, 1e-6, ropeTheta, tieEmbeddings, false, false, false, -1, -1);
    }

    /** Query heads per key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    public LmConfig withSpecialTokens(int bos, int eos) {
        return new LmConfig(family, vocabSize, hiddenSize, layers, heads, kvHeads, headDim, intermediateSize, maxPositions,
                normEps, ropeTheta, tieEmbeddings, attentionBias, qkvBiasOnly, mlpBias, bos, eos);
    }

    public LmConfig withNormEps(double eps) {
        return new LmConfig(family, vocabSize, hiddenSize, layers, heads, kvHeads, headDim, intermediateSize, maxPositions,
                eps, ropeTheta, tieEmbeddings, attentionBias, qkvBiasOnly, mlpBias, bosTokenId, eosTokenId);
    }

    /** Whether the q/k/v projections carry biases. */
    public boolean qkvBias() {
        return family == Family.GPT2 || attentionBias || qkvBiasOnly;
    }

    /** Whether the attention output projection carries a bias. */
    public boolean outputBias() {
        return family == Family.GPT2 || attentionBias;
    }
}
