package dev.fulcrum.lm.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameter names and shapes of a {@link LmConfig}, exactly as Hugging Face's {@code GPT2LMHeadModel} and
 * {@code LlamaForCausalLM} name them in {@code model.safetensors}, so checkpoints load and save without renaming.
 *
 * <p>GPT-2's projections are {@code Conv1D} layers whose weight is laid out {@code [in, out]} (the transpose of
 * {@code nn.Linear}); the head is tied to {@code transformer.wte.weight} and has no tensor of its own. Llama's projections
 * are {@code nn.Linear}, {@code [out, in]}; {@code lm_head.weight} exists unless the embeddings are tied.
 */
public final class ParameterLayout {
    private ParameterLayout() {
    }

    /** What a parameter is, for initialisation. */
    public enum Kind {
        /** token or position embedding, or a projection weight: normal(0, 0.02) */
        WEIGHT,
        /** a projection into the residual stream: normal(0, 0.02 / sqrt(2 layers)) for GPT-2, as its paper prescribes */
        RESIDUAL_WEIGHT,
        BIAS,
        NORM_WEIGHT,
        NORM_BIAS
    }

    public record Entry(long[] shape, Kind kind) {
    }

    /** Every trainable tensor of the model in a fixed order (embeddings, blocks 0..n-1, final norm, head). */
    public static Map<String, Entry> of(LmConfig c) {
        Map<String, Entry> p = new LinkedHashMap<>();
        int d = c.hiddenSize(), v = c.vocabSize(), ff = c.intermediateSize();
        if (c.family() == LmConfig.Family.GPT2) {
            p.put("transformer.wte.weight", new Entry(new long[] {v, d}, Kind.WEIGHT));
            p.put("transformer.wpe.weight", new Entry(new long[] {c.maxPositions(), d}, Kind.WEIGHT));
            for (int i = 0; i < c.layers(); i++) {
                String h = gpt2Block(i);
                p.put(h + "ln_1.weight", new Entry(new long[] {d}, Kind.NORM_WEIGHT));
                p.put(h + "ln_1.bias", new Entry(new long[] {d}, Kind.NORM_BIAS));
                p.put(h + "attn.c_attn.weight", new Entry(new long[] {d, 3L * d}, Kind.WEIGHT));
                p.put(h + "attn.c_attn.bias", new Entry(new long[] {3L * d}, Kind.BIAS));
                p.put(h + "attn.c_proj.weight", new Entry(new long[] {d, d}, Kind.RESIDUAL_WEIGHT));
                p.put(h + "attn.c_proj.bias", new Entry(new long[] {d}, Kind.BIAS));
                p.put(h + "ln_2.weight", new Entry(new long[] {d}, Kind.NORM_WEIGHT));
                p.put(h + "ln_2.bias", new Entry(new long[] {d}, Kind.NORM_BIAS));
                p.put(h + "mlp.c_fc.weight", new Entry(new long[] {d, ff}, Kind.WEIGHT));
                p.put(h + "mlp.c_fc.bias", new Entry(new long[] {ff}, Kind.BIAS));
                p.put(h + "mlp.c_proj.weight", new Entry(new long[] {ff, d}, Kind.RESIDUAL_WEIGHT));
                p.put(h + "mlp.c_proj.bias", new Entry(new long[] {d}, Kind.BIAS));
            }
            p.put("transformer.ln_f.weight", new Entry(new long[] {d}, Kind.NORM_WEIGHT));
            p.put("transformer.ln_f.bias", new Entry(new long[] {d}, Kind.NORM_BIAS));
            return p;
        }
        int q = c.heads() * c.headDim(), kv = c.kvHeads() * c.headDim();
        p.put("model.embed_tokens.weight", new Entry(new long[] {v, d}, Kind.WEIGHT));
        for (int i = 0; i < c.layers(); i++) {
            String l = llamaBlock(i);
            p.put(l + "input_layernorm.weight", new Entry(new long[] {d}, Kind.NORM_WEIGHT));
            linear(p, l + "self_attn.q_proj", q, d, c.qkvBias(), Kind.WEIGHT);
            linear(p, l + "self_attn.k_proj", kv, d, c.qkvBias(), Kind.WEIGHT);
            linear(p, l + "self_attn.v_proj", kv, d, c.qkvBias(), Kind.WEIGHT);
            linear(p, l + "self_attn.o_proj", d, q, c.outputBias(), Kind.WEIGHT);
            p.put(l + "post_attention_layernorm.weight", new Entry(new long[] {d}, Kind.NORM_WEIGHT));
            linear(p, l + "mlp.gate_proj", ff, d, c.mlpBias(), Kind.WEIGHT);
            linear(p, l + "mlp.up_proj", ff, d, c.mlpBias(), Kind.WEIGHT);
            linear(p, l + "mlp.down_proj", d, ff, c.mlpBias(), Kind.WEIGHT);
        }
        p.put("model.norm.weight", new Entry(new long[] {d}, Kind.NORM_WEIGHT));
        if (!c.tieEmbeddings()) {
            p.put("lm_head.weight", new Entry(new long[] {v, d}, Kind.WEIGHT));
        }
        return p;
    }

    private static void linear(Map<String, Entry> p, String name, int out, int in, boolean bias, Kind kind) {
        p.put(name + ".weight", new Entry(new long[] {out, in}, kind));
        if (bias) {
            p.put(name + ".bias", new Entry(new long[] {out}, Kind.BIAS));
        }
    }

    static String gpt2Block(int i) {
        return "transformer.h." + i + ".";
    }

    static String llamaBlock(int i) {
        return "model.layers." + i + ".";
    }

    /** The tensor the output head multiplies with: the token embedding when tied. */
    public static String headWeightName(LmConfig c) {
        if (c.family() == LmConfig.Family.GPT2) {
            return "transformer.wte.weight";
        }
        return c.tieEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
    }

    public static String embeddingName(LmConfig c) {
        return c.family() == LmConfig.Family.GPT2 ? "transformer.wte.weight" : "model.embed_tokens.weight";
    }
}
