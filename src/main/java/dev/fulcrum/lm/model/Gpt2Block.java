package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.fulcrum.core.nn.Scalars;
import java.util.Map;

/**
 * A GPT-2 block (Radford et al. 2019, section 2.3: LayerNorm moved to each sub-block's input):
 * <pre>
 *   x = x + c_proj(attn(c_attn(ln_1(x))))          c_attn: fused [q | k | v], Conv1D layout [in, out]
 *   x = x + mlp.c_proj(gelu_tanh(mlp.c_fc(ln_2(x))))
 * </pre>
 */
final class Gpt2Block implements DecoderBlock {
    private final int layer;
    private final int heads;
    private final int headDim;
    private final double eps;
    private final NDArray ln1w, ln1b, attnW, attnB, projW, projB, ln2w, ln2b, fcW, fcB, mlpProjW, mlpProjB;

    Gpt2Block(Map<String, NDArray> p, LmConfig c, int layer) {
        String h = ParameterLayout.gpt2Block(layer);
        this.layer = layer;
        this.heads = c.heads();
        this.headDim = c.headDim();
        this.eps = c.normEps();
        ln1w = p.get(h + "ln_1.weight");
        ln1b = p.get(h + "ln_1.bias");
        attnW = p.get(h + "attn.c_attn.weight");
        attnB = p.get(h + "attn.c_attn.bias");
        projW = p.get(h + "attn.c_proj.weight");
        projB = p.get(h + "attn.c_proj.bias");
        ln2w = p.get(h + "ln_2.weight");
        ln2b = p.get(h + "ln_2.bias");
        fcW = p.get(h + "mlp.c_fc.weight");
        fcB = p.get(h + "mlp.c_fc.bias");
        mlpProjW = p.get(h + "mlp.c_proj.weight");
        mlpProjB = p.get(h + "mlp.c_proj.bias");
    }

    @Override
    public NDArray forward(NDArray x, Pass pass) {
        long b = x.getShape().get(0), t = x.getShape().get(1);
        NDList qkv = Layers.conv1d(Layers.layerNorm(x, ln1w, ln1b, eps), attnW, attnB).split(3, 2);
        NDArray q = qkv.get(0).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
        NDArray k = qkv.get(1).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
        NDArray v = qkv.get(2).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
        q = q.mul(Scalars.of(q, 1 / Math.sqrt(headDim)));
        if (pass.cache() != null) {
            NDArray[] kv = pass.cache().append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray attention = CausalAttention.attend(q, k, v, pass.bias(), 1);
        x = x.add(Layers.conv1d(attention, projW, projB));
        NDArray hidden = Layers.geluTanh(Layers.conv1d(Layers.layerNorm(x, ln2w, ln2b, eps), fcW, fcB));
        return x.add(Layers.conv1d(hidden, mlpProjW, mlpProjB));
    }
}
