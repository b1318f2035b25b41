package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;

/**
 * Log-probabilities of completions given their prompts, for {@code N} (prompt, completion) pairs, as
 * {@link SequenceScorer} computes them. All tensors are differentiable with respect to the model's parameters when
 * scored inside a {@code Torch.Tape}.
 *
 * @param tokenLogProbs {@code [N, L]}: {@code log pi(y_t | x, y_<t)} of completion token {@code t} of row {@code i} at
 *                      column {@code t}; 0 past the row's completion
 * @param mask          {@code [N, L]}: 1 where {@code tokenLogProbs} holds a completion token, 0 elsewhere
 * @param sums          {@code [N]}: {@code log pi(y | x) = sum_t log pi(y_t | x, y_<t)}
 * @param counts        completion lengths {@code |y|}, for length normalisation
 */
public record CompletionScores(NDArray tokenLogProbs, NDArray mask, NDArray sums, int[] counts) {

    /** Total completion tokens over all rows. */
    public long totalTokens() {
        long n = 0;
        for (int c : counts) {
            n += c;
        }
        return n;
    }

    /** Length-normalised log-probabilities {@code log pi(y | x) / |y|}, {@code [N]}. */
    public NDArray means() {
        double[] inverse = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            inverse[i] = 1.0 / counts[i];
        }
        NDArray scale = sums.getManager().create(inverse).toType(sums.getDataType(), false);
        return sums.mul(scale);
    }
}
