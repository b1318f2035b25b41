package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;

/** Log-probabilities of given tokens under vocabulary logits: {@code log softmax(logits)[target]}. */
public final class TokenLogProbs {
    private TokenLogProbs() {
    }

    /**
     * @param logits  {@code [..., vocab]}
     * @param targets int64 {@code [...]}, the same leading shape
     * @return {@code log p(target)}, shape of {@code targets}; differentiable with respect to {@code logits}
     */
    public static NDArray of(NDArray logits, NDArray targets) {
        int axis = logits.getShape().dimension() - 1;
        return logits.logSoftmax(axis).gather(targets.expandDims(axis), axis).squeeze(axis);
    }

    /**
     * Per-position {@code KL(p || q) = sum_v p_v (log p_v - log q_v)} of the distributions {@code p = softmax(pLogits)}
     * and {@code q = softmax(qLogits)} over the last axis; shape of the leading axes. Differentiable in both.
     */
    public static NDArray klDivergence(NDArray pLogits, NDArray qLogits) {
        int axis = pLogits.getShape().dimension() - 1;
        NDArray logP = pLogits.logSoftmax(axis);
        return logP.exp().mul(logP.sub(qLogits.logSoftmax(axis))).sum(new int[] {axis});
    }
}
