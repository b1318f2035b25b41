package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
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
        long b = x.getShape().get(0), t = x.getShape().get(1);
        NDArray a = Layers.rmsNorm(x, inNorm, eps);
        NDArray q = rope.apply(Layers.linear(a, qW, qB).reshape(b, t, heads, headDim), pass.angles());
        NDArray k = rope.apply(Layers.linear(a, kW, kB).reshape(b, t, kvHeads, headDim), pass.angles());
        NDArray v = Layers.linear(a, vW, vB).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
        q = q.mul(Scalars.of(q, 1 / Math.sqrt(headDim))).transpose(0, 2, 1, 3);
        k = k.transpose(0, 2, 1, 3);
        if (pass.cache() != null) {
            NDArray[] kv = pass.cache().append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray attention = CausalAttention.attend(q, k, v, pass.bias(), heads / kvHeads);
        x = x.add(Layers.linear(attention, oW, oB));
        NDArray m = Layers.rmsNorm(x, postNorm, eps);
        NDArray hidden = Layers.silu(Layers.linear(m, gateW, gateB)).mul(Layers.linear(m, upW, upB));
        return x.add(Layers.linear(hidden, downW, downB));
    }
}
