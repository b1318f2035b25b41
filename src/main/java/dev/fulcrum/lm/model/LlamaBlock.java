package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.fulcrum.core.nn.Scalars;
import java.util.Map;

/**
 * A Llama block (Touvron et al. 2023): pre-RMSNorm, rotary queries and keys, grouped-query attention, SwiGLU MLP
 * (Shazeer 2020, eq. 6 without biases):
 * <pre>
 *   a = input_layernorm(x);  q = rope(q_proj(a));  k = rope(k_proj(a));  v = v_proj(a)
 *   x = x + o_proj(attn(q, k, v))
 *   m = post_attention_layernorm(x);  x = x + down_proj(silu(gate_proj(m)) * up_proj(m))
 * </pre>
 */
final class LlamaBlock implements DecoderBlock {
    private final int layer;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final double eps;
    private final Rope rope;
    private final NDArray inNorm, qW, qB, kW, kB, vW, vB, oW, oB, postNorm, gateW, gateB, upW, upB, downW, downB;

    LlamaBlock(Map<String, NDArray> p, LmConfig c, int layer, Rope rope) {
        String l = ParameterLayout.llamaBlock(layer);
        this.layer = layer;
        this.heads = c.heads();
        this.kvHeads = c.kvHeads();
        this.headDim = c.headDim();
        this.eps = c.normEps();
        this.rope = rope;
        inNorm = p.get(l + "input_layernorm.weight");
        qW = p.get(l + "self_attn.q_proj.weight");
        qB = p.get(l + "self_attn.q_proj.bias");
        kW = p.get(l + "self_attn.k_proj.weight");
        kB = p.get(l + "self_attn.k_proj.bias");
        vW = p.get(l + "self_attn.v_proj.weight");
        vB = p.get(l + "self_attn.v_proj.bias");
        oW = p.get(l + "self_attn.o_proj.weight");
        oB = p.get(l + "self_attn.o_proj.bias");
        postNorm = p.get(l + "post_attention_layernorm.weight");
        gateW = p.get(l + "mlp.gate_proj.weight");
        gateB = p.get(l + "mlp.gate_proj.bias");
        upW = p.get(l + "mlp.up_proj.weight");
        upB = p.get(l + "mlp.up_proj.bias");
        downW = p.get(l + "mlp.down_proj.weight");
        downB = p.get(l + "mlp.down_proj.bias");
    }

    @Override
    public NDArray forward(NDArray x, Pass pass) {
        return pass.cache() == null ? recomputing(x, pass) : decoding(x, pass);
    }

    /** Training, scoring and full recomputation: the formula above, one projection at a time. */
    private NDArray recomputing(NDArray x, Pass pass) {
        long b = x.getShape().get(0), t = x.getShape().get(1);
        NDArray a = Layers.rmsNorm(x, inNorm, eps);
        // queries and keys rotate together: [B, T, heads + kvHeads, headDim], one rotation, then split by head
        NDArray qk = Layers.linear(a, qW, qB).reshape(b, t, heads, headDim)
                .concat(Layers.linear(a, kW, kB).reshape(b, t, kvHeads, headDim), 2);
        NDArray v = Layers.linear(a, vW, vB).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDList rotated = rope.apply(qk, pass.angles()).split(new long[] {heads}, 2);
        NDArray q = rotated.get(0).mul(Scalars.of(qk, 1 / Math.sqrt(headDim))).transpose(0, 2, 1, 3);
        NDArray k = rotated.get(1).transpose(0, 2, 1, 3);
        x = x.add(Layers.linear(CausalAttention.attend(q, k, v, pass.bias(), heads / kvHeads), oW, oB));
        NDArray m = Layers.rmsNorm(x, postNorm, eps);
        NDArray hidden = Layers.silu(Layers.linear(m, gateW, gateB)).mul(Layers.linear(m, upW, upB));
        return x.add(Layers.linear(hidden, downW, downB));
    }

    /**
     * Decoding with a KV cache: the same function with fewer engine calls per token (decoding a small model is short of
     * calls more than of arithmetic), through weights prepared once per cache ({@link #decodingWeights}; valid because
     * weights cannot change during one generation call). Norm gains are folded into the projection that follows each
     * norm ({@code (x/rms(x) * g) W^T = (x/rms(x)) (W diag g)^T}); q, k and v come from one matmul, gate and up from
     * another; the query scale {@code 1/sqrt(d)} is folded into q (the rotation is linear, so it commutes).
     */
    private NDArray decoding(NDArray x, Pass pass) {
        long b = x.getShape().get(0), t = x.getShape().get(1);
        NDArray[] w = pass.cache().derived(layer, this::decodingWeights);
        // [B, T, heads + 2 kvHeads, headDim]: queries and keys first (they rotate together), values last
        NDList qkv = Layers.linear(Layers.rmsNormalise(x, eps), w[0], w[1]).reshape(b, t, heads + 2L * kvHeads, headDim)
                .split(new long[] {heads + kvHeads}, 2);
        NDList rotated = rope.apply(qkv.get(0), pass.angles()).split(new long[] {heads}, 2);
        NDArray[] kv = pass.cache().append(layer, rotated.get(1).transpose(0, 2, 1, 3), qkv.get(1).transpose(0, 2, 1, 3));
        NDArray attention = CausalAttention.attend(rotated.get(0).transpose(0, 2, 1, 3), kv[0], kv[1], pass.bias(), heads / kvHeads);
        x = x.add(Layers.linear(attention, oW, oB));
        NDList gateUp = Layers.linear(Layers.rmsNormalise(x, eps), w[2], w[3]).split(new long[] {gateW.getShape().get(0)}, 2);
        return x.add(Layers.linear(Layers.silu(gateUp.get(0)).mul(gateUp.get(1)), downW, downB));
    }

    /**
     * {@code {qkvWeight, qkvBias, gateUpWeight, gateUpBias}} for {@link #decoding}: rows {@code [q / sqrt(d); k; v]} times
     * {@code diag(input_layernorm)}, and {@code [gate; up]} times {@code diag(post_attention_layernorm)}. A bias is null
     * when none of its projections has one; a missing bias among present ones counts as zeros.
     */
    private NDArray[] decodingWeights() {
        NDArray scale = Scalars.of(qW, 1 / Math.sqrt(headDim));
        NDArray qkv = NDArrays.concat(new NDList(qW.mul(scale), kW, vW), 0).mul(inNorm);
        NDArray qkvBias = qB == null && kB == null && vB == null ? null
                : NDArrays.concat(new NDList(orZeros(qB, qW).mul(scale), orZeros(kB, kW), orZeros(vB, vW)), 0);
        NDArray gateUp = NDArrays.concat(new NDList(gateW, upW), 0).mul(postNorm);
        NDArray gateUpBias = gateB == null && upB == null ? null
                : NDArrays.concat(new NDList(orZeros(gateB, gateW), orZeros(upB, upW)), 0);
        return new NDArray[] {qkv, qkvBias, gateUp, gateUpBias};
    }

    /** {@code bias}, or zeros of the length of {@code weight}'s rows when there is none. */
    private static NDArray orZeros(NDArray bias, NDArray weight) {
        return bias != null ? bias : weight.getManager().zeros(new ai.djl.ndarray.types.Shape(weight.getShape().get(0)),
                weight.getDataType());
    }
}
