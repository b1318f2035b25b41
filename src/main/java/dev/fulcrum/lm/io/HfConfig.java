package dev.fulcrum.lm.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.lm.model.LmConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Hugging Face {@code config.json} to {@link LmConfig} and back.
 *
 * <p>Read: {@code model_type} {@code gpt2} (keys {@code vocab_size, n_embd, n_layer, n_head, n_positions}, optional
 * {@code n_inner, layer_norm_epsilon, activation_function} in the tanh-GELU family), {@code llama} and {@code mistral}
 * (keys {@code vocab_size, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
 * max_position_embeddings}, optional {@code num_key_value_heads, head_dim, rms_norm_eps, rope_theta,
 * tie_word_embeddings, attention_bias, mlp_bias, hidden_act=silu}) and {@code qwen2} (Llama with q/k/v biases). Options
 * this model does not implement ({@code rope_scaling}, sliding windows, other activations) are refused with an error
 * naming the field rather than silently computing something else. Every error names the file and the field.
 */
public final class HfConfig {
    private HfConfig() {
    }

    public static LmConfig read(Path file) {
        JsonNode root;
        try {
            root = Json.COMPACT.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("file not found: " + file, e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        return parse(root, file.toString());
    }

    /** Parses a config object; {@code source} names it in error messages. */
    public static LmConfig parse(JsonNode root, String source) {
        Fields f = new Fields(root, source);
        String type = f.string("model_type", null);
        return switch (type) {
            case "gpt2" -> gpt2(f);
            case "llama", "mistral", "qwen2" -> llama(f, type);
            default -> throw f.bad("model_type", "'" + type + "' is not supported (gpt2, llama, mistral, qwen2)");
        };
    }

    private static LmConfig gpt2(Fields f) {
        String act = f.string("activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh") && !act.equals("gelu_fast")) {
            throw f.bad("activation_function", "'" + act + "' is not supported (gelu_new, gelu_pytorch_tanh, gelu_fast)");
        }
        if (!f.bool("tie_word_embeddings", true)) {
            throw f.bad("tie_word_embeddings", "must be true for GPT-2");
        }
        if (f.bool("scale_attn_by_inverse_layer_idx", false)) {
            throw f.bad("scale_attn_by_inverse_layer_idx", "true is not supported");
        }
        if (!f.bool("scale_attn_weights", true)) {
            throw f.bad("scale_attn_weights", "false is not supported");
        }
        int d = f.positiveInt("n_embd");
        int heads = f.positiveInt("n_head");
        if (d % heads != 0) {
            throw f.bad("n_head", heads + " does not divide n_embd " + d);
        }
        int vocab = f.positiveInt("vocab_size");
        Integer inner = f.optionalPositiveInt("n_inner");
        return f.build(() -> new LmConfig(LmConfig.Family.GPT2, vocab, d, f.positiveInt("n_layer"), heads, heads, d / heads,
                inner == null ? 4 * d : inner, f.positiveInt("n_positions"), f.positiveDouble("layer_norm_epsilon", 1e-5), 0,
                true, false, false, false, f.tokenId("bos_token_id", vocab), f.tokenId("eos_token_id", vocab)));
    }

    private static LmConfig llama(Fields f, String type) {
        String act = f.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw f.bad("hidden_act", "'" + act + "' is not supported (silu)");
        }
        if (f.present("rope_scaling")) {
            throw f.bad("rope_scaling", "is not supported (only plain rotary embeddings); it must be null or absent");
        }
        double ropeTheta = ropeTheta(f);
        int maxPositions = f.positiveInt("max_position_embeddings");
        if (type.equals("mistral") && f.present("sliding_window")) {
            long window = f.positiveInt("sliding_window");
            if (window < maxPositions) {
                throw f.bad("sliding_window", window + " is shorter than max_position_embeddings " + maxPositions
                        + "; sliding-window attention is not supported");
            }
        }
        if (type.equals("qwen2") && f.bool("use_sliding_window", false)) {
            throw f.bad("use_sliding_window", "true is not supported");
        }
        int d = f.positiveInt("hidden_size");
        int heads = f.positiveInt("num_attention_heads");
        Integer kv = f.optionalPositiveInt("num_key_value_heads");
        int kvHeads = kv == null ? heads : kv;
        if (heads % kvHeads != 0) {
            throw f.bad("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        }
        Integer headDim = f.optionalPositiveInt("head_dim");
        if (headDim == null && d % heads != 0) {
            throw f.bad("num_attention_heads", heads + " does not divide hidden_size " + d);
        }
        int vocab = f.positiveInt("vocab_size");
        boolean qwen = type.equals("qwen2");
        boolean attentionBias = !qwen && f.bool("attention_bias", false);
        return f.build(() -> new LmConfig(LmConfig.Family.LLAMA, vocab, d, f.positiveInt("num_hidden_layers"), heads, kvHeads,
                headDim == null ? d / heads : headDim, f.positiveInt("intermediate_size"), maxPositions,
                f.positiveDouble("rms_norm_eps", 1e-6), ropeTheta,
                f.bool("tie_word_embeddings", false), attentionBias, qwen, f.bool("mlp_bias", false),
                f.tokenId("bos_token_id", vocab), f.tokenId("eos_token_id", vocab)));
    }

    /**
     * The rotary base: {@code rope_theta} (transformers 4.x) or {@code rope_parameters.rope_theta} (transformers 5 writes
     * {@code "rope_parameters": {"rope_theta": ..., "rope_type": "default"}}); scaled variants are refused.
     */
    private static double ropeTheta(Fields f) {
        if (!f.present("rope_parameters")) {
            return f.positiveDouble("rope_theta", 10000.0);
        }
        Fields p = new Fields(f.root().get("rope_parameters"), f.source() + ": rope_parameters");
        if (!p.root().isObject()) {
            throw f.bad("rope_parameters", "must be an object, got " + p.root());
        }
        String type = p.string("rope_type", "default");
        if (!type.equals("default")) {
            throw p.bad("rope_type", "'" + type + "' is not supported (only plain rotary embeddings: default)");
        }
        double theta = p.positiveDouble("rope_theta", f.positiveDouble("rope_theta", 10000.0));
        if (f.present("rope_theta") && f.positiveDouble("rope_theta", theta) != theta) {
            throw f.bad("rope_theta", f.root().get("rope_theta") + " disagrees with rope_parameters.rope_theta " + theta);
        }
        return theta;
    }

    /** The config object Hugging Face's loaders read for {@code c}. */
    public static ObjectNode toJson(LmConfig c, String torchDtype) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (c.family() == LmConfig.Family.GPT2) {
            o.putArray("architectures").add("GPT2LMHeadModel");
            o.put("model_type", "gpt2");
            o.put("vocab_size", c.vocabSize());
            o.put("n_embd", c.hiddenSize());
            o.put("n_layer", c.layers());
            o.put("n_head", c.heads());
            o.put("n_positions", c.maxPositions());
            o.put("n_ctx", c.maxPositions());
            o.put("n_inner", c.intermediateSize());
            o.put("layer_norm_epsilon", c.normEps());
            o.put("activation_function", "gelu_new");
            o.put("tie_word_embeddings", true);
        } else {
            boolean qwen = c.qkvBiasOnly();
            o.putArray("architectures").add(qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
            o.put("model_type", qwen ? "qwen2" : "llama");
            o.put("vocab_size", c.vocabSize());
            o.put("hidden_size", c.hiddenSize());
            o.put("intermediate_size", c.intermediateSize());
            o.put("num_hidden_layers", c.layers());
            o.put("num_attention_heads", c.heads());
            o.put("num_key_value_heads", c.kvHeads());
            o.put("head_dim", c.headDim());
            o.put("max_position_embeddings", c.maxPositions());
            o.put("rms_norm_eps", c.normEps());
            o.put("rope_theta", c.ropeTheta());
            o.putNull("rope_scaling");
            o.put("hidden_act", "silu");
            if (!qwen) {
                o.put("attention_bias", c.attentionBias());
            }
            o.put("mlp_bias", c.mlpBias());
            o.put("tie_word_embeddings", c.tieEmbeddings());
        }
        if (c.bosTokenId() >= 0) {
            o.put("bos_token_id", c.bosTokenId());
        }
        if (c.eosTokenId() >= 0) {
            o.put("eos_token_id", c.eosTokenId());
        }
        o.put("torch_dtype", torchDtype);
        return o;
    }

    public static void write(Path file, LmConfig c, String torchDtype) {
        AtomicFiles.writeString(file, Json.pretty(toJson(c, torchDtype)) + "\n");
    }

    /** Typed access to a config object's fields with errors that name the file and the field. */
    private record Fields(JsonNode root, String source) {
        IllegalArgumentException bad(String field, String problem) {
            return new IllegalArgumentException(source + ": field '" + field + "' " + problem);
        }

        boolean present(String field) {
            return root.has(field) && !root.get(field).isNull();
        }

        private JsonNode required(String field) {
            if (!present(field)) {
                throw bad(field, "is missing");
            }
            return root.get(field);
        }

        String string(String field, String fallback) {
            if (!present(field)) {
                if (fallback == null) {
                    throw bad(field, "is missing");
                }
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isTextual()) {
                throw bad(field, "must be a string, got " + n);
            }
            return n.asText();
        }

        int positiveInt(String field) {
            return checkedInt(field, required(field));
        }

        Integer optionalPositiveInt(String field) {
            return present(field) ? checkedInt(field, root.get(field)) : null;
        }

        private int checkedInt(String field, JsonNode n) {
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
                throw bad(field, "must be a positive integer, got " + n);
            }
            return n.asInt();
        }

        double positiveDouble(String field, double fallback) {
            if (!present(field)) {
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isNumber() || !(n.asDouble() > 0) || !Double.isFinite(n.asDouble())) {
                throw bad(field, "must be a positive number, got " + n);
            }
            return n.asDouble();
        }

        boolean bool(String field, boolean fallback) {
            if (!present(field)) {
                return fallback;
            }
            JsonNode n = root.get(field);
            if (!n.isBoolean()) {
                throw bad(field, "must be true or false, got " + n);
            }
            return n.asBoolean();
        }

        /** A token id below {@code vocab}, -1 when absent; of a list (several end tokens) the first. */
        int tokenId(String field, int vocab) {
            if (!present(field)) {
                return -1;
            }
            JsonNode n = root.get(field);
            if (n.isArray() && !n.isEmpty()) {
                n = n.get(0);
            }
            if (!n.isIntegralNumber() || n.asInt() < 0 || n.asInt() >= vocab) {
                throw bad(field, "must be a token id in [0, " + vocab + "), got " + root.get(field));
            }
            return n.asInt();
        }

        LmConfig build(java.util.function.Supplier<LmConfig> make) {
            try {
                return make.get();
            } catch (dev.fulcrum.core.config.ConfigException e) {
                throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
            }
        }
    }
}
