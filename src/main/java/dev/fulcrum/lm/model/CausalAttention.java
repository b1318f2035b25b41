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
     * @param bias additive bias {@code [B, 1, T, Tk]}, or {@code [B, 1, 1, T, Tk]} when {@code groupSize > 1} and {@code T > 1}
     *             ({@link #forGroups}: shaped once per forward, not once per layer)
     * @return the heads' outputs side by side, {@code [B, T, heads * d]}
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias, int groupSize) {
        long b = q.getShape().get(0), heads = q.getShape().get(1), t = q.getShape().get(2), d = q.getShape().get(3);
        long kvHeads = heads / groupSize, tk = k.getShape().get(2);
        if (t == 1) { // decoding one position: a key/value head's query heads are the rows of one product; the bias
            // [B, 1, 1, Tk] broadcasts over heads and rows as it is, and the head-major output is the token-major one
            NDArray p = (groupSize == 1 ? q : q.reshape(b, kvHeads, groupSize, d)).matMul(k.swapAxes(2, 3)).add(bias).softmax(-1);
            return p.matMul(v).reshape(b, 1, heads * d);
        }
        NDArray out;
        if (groupSize == 1) {
            NDArray p = q.matMul(k.swapAxes(2, 3)).add(bias).softmax(-1);
            out = p.matMul(v);
        } else {
            NDArray scores = q.reshape(b, kvHeads, groupSize * t, d).matMul(k.swapAxes(2, 3));
            NDArray p = scores.reshape(b, kvHeads, groupSize, t, tk).add(bias).softmax(-1);
            out = p.reshape(b, kvHeads, groupSize * t, tk).matMul(v);
        }
        return out.reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, heads * d);
    }

    /**
     * The bias {@code [B, 1, T, Tk]} as {@link #attend} takes it for {@code groupSize} query heads per key/value head: with
     * an axis for the groups when {@code T > 1}; one query position needs none.
     */
    static NDArray forGroups(NDArray bias, int groupSize) {
        return groupSize == 1 || bias.getShape().get(2) == 1 ? bias : bias.expandDims(2);
    }
}
