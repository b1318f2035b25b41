package dev.fulcrum.lm.align;

import ai.djl.ndarray.NDArray;

/**
 * One model's sequence log-probabilities of a batch of preference pairs as SRPO reads them: each completion ({@code yw},
 * {@code yl}) scored once as a first answer to the prompt {@code x} and once as a revision of each of the two responses
 * ({@link RevisionPrompt}). Every tensor is {@code [B]}.
 *
 * @param chosen                {@code log pi(yw | x)}
 * @param rejected              {@code log pi(yl | x)}
 * @param chosenGivenRejected   {@code log pi(yw | x, yl)}: revising the rejected response into the chosen one
 * @param rejectedGivenRejected {@code log pi(yl | x, yl)}
 * @param chosenGivenChosen     {@code log pi(yw | x, yw)}
 * @param rejectedGivenChosen   {@code log pi(yl | x, yw)}
 */
public record RevisionLogProbs(NDArray chosen, NDArray rejected, NDArray chosenGivenRejected, NDArray rejectedGivenRejected,
                               NDArray chosenGivenChosen, NDArray rejectedGivenChosen) {

    /** {@code this - reference}, with no gradient through the reference: the log-ratios {@code h} of SRPO. */
    public RevisionLogProbs minus(RevisionLogProbs reference) {
        return new RevisionLogProbs(chosen.sub(reference.chosen.stopGradient()), rejected.sub(reference.rejected.stopGradient()),
                chosenGivenRejected.sub(reference.chosenGivenRejected.stopGradient()),
                rejectedGivenRejected.sub(reference.rejectedGivenRejected.stopGradient()),
                chosenGivenChosen.sub(reference.chosenGivenChosen.stopGradient()),
                rejectedGivenChosen.sub(reference.rejectedGivenChosen.stopGradient()));
    }
}
