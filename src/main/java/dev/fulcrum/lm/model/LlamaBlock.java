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
        long b = x.getShape().get(0), t = x.getShape().get(1);
        // decoding with a cache: q/k/v (and gate/up) in one matmul each, with weights fused once per cache; the weights
        // cannot change during one generation, and one engine call instead of three is what decoding is short of
        NDArray[] fused = pass.cache() == null ? null : pass.cache().derived(layer, this::fusedWeights);
        boolean fusedAttention = fused != null && fused[0] != null, fusedMlp = fused != null && fused[2] != null;
        NDArray a = Layers.rmsNorm(x, inNorm, eps);
        NDArray qk, v;
        if (fusedAttention) { // [B, T, heads + 2 kvHeads, headDim]: queries and keys first, values last
            NDList parts = Layers.linear(a, fused[0], fused[1]).reshape(b, t, heads + 2L * kvHeads, headDim)
                    .split(new long[] {heads + kvHeads}, 2);
            qk = parts.get(0);
            v = parts.get(1);
        } else { // queries and keys rotate together: [B, T, heads + kvHeads, headDim], one rotation, then split by head
            qk = Layers.linear(a, qW, qB).reshape(b, t, heads, headDim)
                    .concat(Layers.linear(a, kW, kB).reshape(b, t, kvHeads, headDim), 2);
            v = Layers.linear(a, vW, vB).reshape(b, t, kvHeads, headDim);
        }
        NDList rotated = rope.apply(qk, pass.angles()).split(new long[] {heads}, 2);
        NDArray q = rotated.get(0).mul(Scalars.of(qk, 1 / Math.sqrt(headDim))).transpose(0, 2, 1, 3);
        NDArray k = rotated.get(1).transpose(0, 2, 1, 3);
        v = v.transpose(0, 2, 1, 3);
        if (pass.cache() != null) {
            NDArray[] kv = pass.cache().append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray attention = CausalAttention.attend(q, k, v, pass.bias(), heads / kvHeads);
        x = x.add(Layers.linear(attention, oW, oB));
        NDArray m = Layers.rmsNorm(x, postNorm, eps);
        NDArray hidden;
        if (fusedMlp) {
            NDList gateUp = Layers.linear(m, fused[2], fused[3]).split(new long[] {gateW.getShape().get(0)}, 2);
            hidden = Layers.silu(gateUp.get(0)).mul(gateUp.get(1));
        } else {
            hidden = Layers.silu(Layers.linear(m, gateW, gateB)).mul(Layers.linear(m, upW, upB));
        }
        return x.add(Layers.linear(hidden, downW, downB));
    }

    /**
     * {@code {qkvWeight, qkvBias, gateUpWeight, gateUpBias}}: the projections stacked by output rows (a bias null when the
     * layer has none); a pair of nulls where the biases are mixed (some present, some not) and the layer stays unfused.
     */
    private NDArray[] fusedWeights() {
        NDArray[] f = new NDArray[4];
        if ((qB == null) == (kB == null) && (kB == null) == (vB == null)) {
            f[0] = NDArrays.concat(new NDList(qW, kW, vW), 0);
            f[1] = qB == null ? null : NDArrays.concat(new NDList(qB, kB, vB), 0);
        }
        if ((gateB == null) == (upB == null)) {
            f[2] = NDArrays.concat(new NDList(gateW, upW), 0);
            f[3] = gateB == null ? null : NDArrays.concat(new NDList(gateB, upB), 0);
        }
        return f;
    }
}
