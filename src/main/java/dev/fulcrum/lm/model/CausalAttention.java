package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;

/**
 * Scaled dot-product attention (Vaswani et al. 2017, eq. 1), {@code softmax(Q K^T / sqrt(d) + bias) V}, composed from
 * matmul and softmax (the PyTorch JNI has no fused attention kernel), with grouped-query attention (Ainslie et al.
 * 2023): query head {@code h} reads key/value head {@code h / groupSize}, as Hugging Face's {@code repeat_kv} arranges
 * them. The repeat is never materialised: the {@code groupSize} query heads of a key/value head are stacked along the
 * query axis, {@code [B, kvHeads, groupSize * T, d]}, and multiply the shared keys in one batched matmul.
 */
final class CausalAttention {
    private CausalAttention() {
    }

    /**
     * @param q    queries {@code [B, heads, T, d]}, already scaled by {@code 1 / sqrt(d)}
     * @param k    keys {@code [B, kvHeads, Tk, d]}
     * @param v    values {@code [B, kvHeads, Tk, d]}
     * @param bias additive bias {@code [B, 1, T, Tk]}
     * @return the heads' outputs side by side, {@code [B, T, heads * d]}
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias, int groupSize) {
        long b = q.getShape().get(0), heads = q.getShape().get(1), t = q.getShape().get(2), d = q.getShape().get(3);
        long kvHeads = heads / groupSize, tk = k.getShape().get(2);
        NDArray out;
        if (groupSize == 1) {
            NDArray p = q.matMul(k.swapAxes(2, 3)).add(bias).softmax(-1);
            out = p.matMul(v);
        } else {
            NDArray scores = q.reshape(b, kvHeads, groupSize * t, d).matMul(k.swapAxes(2, 3));
            NDArray p = scores.reshape(b, kvHeads, groupSize, t, tk).add(bias.expandDims(2)).softmax(-1);
            out = p.reshape(b, kvHeads, groupSize * t, tk).matMul(v);
        }
        return out.reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, heads * d);
    }
}
