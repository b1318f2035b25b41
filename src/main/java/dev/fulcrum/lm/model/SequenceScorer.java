package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batched log-probability of completions given prompts, {@code log pi(y | x) = sum_t log pi(y_t | x, y_<t)}: the
 * quantity every preference method (DPO and its variants, reward-weighted likelihoods, KL penalties) is built from.
 *
 * <p>All pairs go through one forward pass: each row is {@code prompt ++ completion} without its last token,
 * right-padded; the head (the vocabulary projection, the largest matmul for real vocabularies) runs only from the
 * shortest prompt's last position on, since no earlier position predicts a completion token. Rows are independent, so
 * a row's score does not depend on what else is in the batch.
 */
public final class SequenceScorer {
    private SequenceScorer() {
    }

    /**
     * Scores {@code completions.get(i)} given {@code prompts.get(i)}. Prompts need at least one token (the first
     * completion token is predicted from the prompt's last), completions at least one. Call inside an {@code NDScope};
     * inside a {@code Torch.Tape} for gradients.
     */
    public static CompletionScores score(DecoderLm model, NDManager manager, List<int[]> prompts, List<int[]> completions) {
        List<int[]> inputs = inputRows(prompts, completions);
        int n = inputs.size();
        int start = Integer.MAX_VALUE, longest = 0;
        for (int i = 0; i < n; i++) {
            start = Math.min(start, prompts.get(i).length - 1);
            longest = Math.max(longest, inputs.get(i).length);
        }
        model.checkLength(longest);
        int width = longest - start; // sequence positions from the shortest prompt's last token on
        int longestCompletion = completions.stream().mapToInt(c -> c.length).max().orElseThrow();
        long[] targets = new long[n * width];
        long[] columns = new long[n * longestCompletion]; // where completion token t of row i sits among the positions
        float[] mask = new float[n * longestCompletion];
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) {
            int[] p = prompts.get(i), c = completions.get(i);
            counts[i] = c.length;
            for (int t = 0; t < longestCompletion; t++) {
                int column = Math.min(p.length - 1 + t - start, width - 1);
                columns[i * longestCompletion + t] = column;
                if (t < c.length) {
                    targets[i * width + column] = c[t];
                    mask[i * longestCompletion + t] = 1f;
                }
            }
        }
        TokenBatch batch = TokenBatch.of(inputs, 0, TokenBatch.Padding.RIGHT);
        NDArray hidden = model.hiddenStates(batch.idTensor(manager), batch.positionTensor(manager),
                batch.causalBias(manager, model.dtype()), null);
        if (start > 0) {
            hidden = hidden.get(new NDIndex(":, {}:, :", start));
        }
        NDArray logProbs = TokenLogProbs.of(model.head(hidden), manager.create(targets, new Shape(n, width)));
        NDArray aligned = logProbs.gather(manager.create(columns, new Shape(n, longestCompletion)), 1);
        NDArray m = manager.create(mask, new Shape(n, longestCompletion)).toType(model.dtype(), false);
        NDArray masked = aligned.mul(m);
        return new CompletionScores(masked, m, masked.sum(new int[] {1}), counts);
    }

    /**
     * Final hidden states at the positions that predict each completion token, for heads other than the vocabulary
     * projection (a value head) and for quantities of the whole next-token distribution (entropy): {@code hidden[i, t]} is
     * the state of {@code prompt_i ++ completion_i[<t]}, which predicts completion token {@code t}. Same layout and
     * requirements as {@link #score}; call inside an {@code NDScope} (and a {@code Torch.Tape} for gradients).
     *
     * @return hidden {@code [N, L, hidden]}, targets (the completion tokens, int64 {@code [N, L]}, 0 past a row's end),
     *         mask {@code [N, L]} in the model's type, completion lengths
     */
    public static CompletionStates states(DecoderLm model, NDManager manager, List<int[]> prompts, List<int[]> completions) {
        List<int[]> inputs = inputRows(prompts, completions);
        int n = inputs.size();
        int longest = 0, longestCompletion = 0;
        for (int i = 0; i < n; i++) {
            longest = Math.max(longest, inputs.get(i).length);
            longestCompletion = Math.max(longestCompletion, completions.get(i).length);
        }
        model.checkLength(longest);
        long[] rows = new long[n * longestCompletion]; // flat index (row * longest + column) of each completion token's state
        long[] targets = new long[n * longestCompletion];
        float[] mask = new float[n * longestCompletion];
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) {
            int[] p = prompts.get(i), c = completions.get(i);
            counts[i] = c.length;
            for (int t = 0; t < longestCompletion; t++) {
                int column = Math.min(p.length - 1 + t, inputs.get(i).length - 1);
                rows[i * longestCompletion + t] = (long) i * longest + column;
                if (t < c.length) {
                    targets[i * longestCompletion + t] = c[t];
                    mask[i * longestCompletion + t] = 1f;
                }
            }
        }
        TokenBatch batch = TokenBatch.of(inputs, 0, TokenBatch.Padding.RIGHT);
        NDArray hidden = model.hiddenStates(batch.idTensor(manager), batch.positionTensor(manager),
                batch.causalBias(manager, model.dtype()), null);
        long width = hidden.getShape().get(2);
        NDArray gathered = Layers.embedding(manager.create(rows, new Shape(n, longestCompletion)), hidden.reshape(n * (long) longest, width));
        NDArray m = manager.create(mask, new Shape(n, longestCompletion)).toType(model.dtype(), false);
        return new CompletionStates(gathered, manager.create(targets, new Shape(n, longestCompletion)), m, counts);
    }

    /** Each row's model input, {@code prompt ++ completion} without the completion's last token; checks the shapes. */
    private static List<int[]> inputRows(List<int[]> prompts, List<int[]> completions) {
        if (prompts.size() != completions.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need as many completions as prompts (and at least one), got "
                    + prompts.size() + " prompts and " + completions.size() + " completions");
        }
        List<int[]> inputs = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i), c = completions.get(i);
            if (p.length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty; a completion is scored given at least one token");
            }
            if (c.length == 0) {
                throw new IllegalArgumentException("completion " + i + " is empty");
            }
            int[] seq = Arrays.copyOf(p, p.length + c.length - 1);
            System.arraycopy(c, 0, seq, p.length, c.length - 1);
            inputs.add(seq);
        }
        return inputs;
    }

    /** What {@link #states} returns. */
    public record CompletionStates(NDArray hidden, NDArray targets, NDArray mask, int[] counts) {
    }
}
