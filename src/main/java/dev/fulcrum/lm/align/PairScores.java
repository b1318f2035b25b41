package dev.fulcrum.lm.align;

import ai.djl.ndarray.NDArray;

/**
 * Sequence scores of a batch of preference pairs: the summed token log-probabilities of the chosen ({@code yw}) and
 * rejected ({@code yl}) completions under the policy being trained and under the reference (anchor) model, and the
 * completions' token counts. Every tensor is {@code [B]}; the policy's carry gradients, the reference's do not.
 *
 * @param referenceChosen   {@code null} for reference-free objectives (SimPO)
 * @param referenceRejected {@code null} for reference-free objectives
 * @param chosenTokens      {@code |yw|} as a floating tensor (for length normalisation)
 * @param rejectedTokens    {@code |yl|} as a floating tensor
 * @param anchorChosen      log-probability of {@code yw} under a second, fixed anchor (INPO: the previous iterate
 *                          {@code pi_t}); {@code null} for objectives with one anchor
 * @param anchorRejected    the same for {@code yl}
 */
public record PairScores(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen,
                         NDArray referenceRejected, NDArray chosenTokens, NDArray rejectedTokens,
                         NDArray anchorChosen, NDArray anchorRejected) {

    /** Scores with the reference as the only anchor. */
    public PairScores(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen, NDArray referenceRejected,
                      NDArray chosenTokens, NDArray rejectedTokens) {
        this(policyChosen, policyRejected, referenceChosen, referenceRejected, chosenTokens, rejectedTokens, null, null);
    }

    /** Whether the second anchor's log-probabilities were scored. */
    public boolean hasAnchor() {
        return anchorChosen != null && anchorRejected != null;
    }

    /** These scores with the second anchor's log-probabilities of {@code yw} and {@code yl} added. */
    public PairScores withAnchor(NDArray chosen, NDArray rejected) {
        return new PairScores(policyChosen, policyRejected, referenceChosen, referenceRejected, chosenTokens, rejectedTokens,
                chosen, rejected);
    }

    public boolean hasReference() {
        return referenceChosen != null && referenceRejected != null;
    }

    /** {@code h(yw) = lp_pi(yw) - lp_ref(yw)}: the implicit reward of the chosen completion, before scaling by beta. */
    public NDArray chosenLogRatio() {
        return policyChosen.sub(requireReference().referenceChosen.stopGradient());
    }

    /** {@code h(yl) = lp_pi(yl) - lp_ref(yl)}. */
    public NDArray rejectedLogRatio() {
        return policyRejected.sub(requireReference().referenceRejected.stopGradient());
    }

    private PairScores requireReference() {
        if (!hasReference()) {
            throw new IllegalStateException("this objective needs reference log-probabilities; none were scored");
        }
        return this;
    }
}
