package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a model trained from scratch, as configuration ({@code model.*}); the vocabulary size and special tokens
 * come from the tokenizer. Validated on construction (errors name {@code model.FIELD}).
 *
 * <p>Presets ({@code --model-size}): {@code tiny} (Llama, 64 wide, 2 layers, 4 heads, about 0.1M parameters besides the
 * embedding) for tests and smoke runs, and {@code small} (Llama, 128 wide, 4 layers, 4 heads, about 0.8M) for the
 * acceptance runs on two CPU cores. Both tie the output head to the embedding, which halves the vocabulary's share of
 * the parameters, and leave room for 384 positions: the longest task transcript is about 240 bytes.
 *
 * @param family           llama or gpt2
 * @param intermediateSize MLP width (SwiGLU for llama; GPT-2 uses it as its 4x-wide MLP)
 * @param kvHeads          key/value heads (llama; must equal heads for gpt2)
 */
public record ModelSpec(String family, int hiddenSize, int layers, int heads, int kvHeads, int intermediateSize,
                        int maxPositions, double ropeTheta, boolean tieEmbeddings) {
    public static final List<String> PRESETS = List.of("tiny", "small");

    public ModelSpec {
        family = family == null ? "" : family.strip().toLowerCase(Locale.ROOT);
        if (!family.equals("llama") && !family.equals("gpt2")) {
            throw new ConfigException("model.family", "must be llama or gpt2, got '" + family + "'");
        }
        toConfig(1, -1, -1, family, hiddenSize, layers, heads, kvHeads, intermediateSize, maxPositions, ropeTheta, tieEmbeddings);
    }

    public static ModelSpec tiny() {
        return new ModelSpec("llama", 64, 2, 4, 4, 176, 384, 10000.0, true);
    }

    public static ModelSpec small() {
        return new ModelSpec("llama", 128, 4, 4, 4, 352, 384, 10000.0, true);
    }

    /** A preset by name ({@link #PRESETS}). */
    public static ModelSpec preset(String name) {
        return switch (name == null ? "" : name.strip().toLowerCase(Locale.ROOT)) {
            case "tiny" -> tiny();
            case "small" -> small();
            default -> throw new IllegalArgumentException("unknown model size '" + name + "' (sizes: " + String.join(", ", PRESETS)
                    + "; or set model.* fields)");
        };
    }

    /** The model configuration for {@code tokenizer}'s vocabulary, with its BOS and EOS ids recorded. */
    public LmConfig toConfig(Tokenizer tokenizer) {
        Tokenizer.SpecialTokens s = tokenizer.special();
        return toConfig(tokenizer.vocabSize(), s.bos(), s.eos(), family, hiddenSize, layers, heads, kvHeads, intermediateSize,
                maxPositions, ropeTheta, tieEmbeddings);
    }

    private static LmConfig toConfig(int vocab, int bos, int eos, String family, int hiddenSize, int layers, int heads,
                                     int kvHeads, int intermediateSize, int maxPositions, double ropeTheta, boolean tie) {
        if (heads <= 0 || hiddenSize % heads != 0) {
            throw new ConfigException("model.heads", "must be a positive divisor of model.hiddenSize (" + hiddenSize + "), got "
                    + heads);
        }
        try {
            boolean gpt2 = family.equals("gpt2");
            return new LmConfig(gpt2 ? LmConfig.Family.GPT2 : LmConfig.Family.LLAMA, vocab, hiddenSize, layers, heads, kvHeads,
                    hiddenSize / heads, intermediateSize, maxPositions, gpt2 ? 1e-5 : 1e-6, gpt2 ? 0 : ropeTheta, tie, false,
                    false, false, bos, eos);
        } catch (ConfigException e) {
            String prefix = "config field '" + e.field() + "' ";
            String problem = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            throw new ConfigException("model." + e.field(), problem);
        }
    }
}
