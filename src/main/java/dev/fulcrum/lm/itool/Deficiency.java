package dev.fulcrum.lm.itool;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.fulcrum.lm.diagnostics.PairScoring;
import dev.fulcrum.lm.model.CompletionScores;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Deficiency selection (iTool): the examples the current policy finds hardest are those whose gold response it finds
 * least likely. Per example, the perplexity of the gold response under the policy,
 * <pre>
 *   PPL(y | x) = exp( - sum_t log pi(y_t | &lt;bos&gt; x, y_&lt;t) / |y| )      over y &lt;eos&gt;
 * </pre>
 * and the top {@code ratio} (0.3, the authors' code's {@code --ratio} default in {@code active_select}: sorted by
 * perplexity, highest first, the first {@code int(n * ratio)} kept; the code ranks examples with and without tool calls
 * separately, here every example has calls) go on to the search.
 */
public final class Deficiency {
    private Deficiency() {
    }

    /** Perplexity of each response given its prompt, scored in batches of {@code batchSize} (no gradients). */
    public static double[] perplexities(DecoderLm model, Tokenizer tokenizer, NDManager manager, List<String> prompts,
                                        List<String> responses, int batchSize) {
        if (prompts.size() != responses.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + responses.size() + " responses");
        }
        double[] out = new double[prompts.size()];
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            List<int[]> p = new ArrayList<>(), c = new ArrayList<>();
            for (int i = from; i < to; i++) {
                p.add(PairScoring.prompt(tokenizer, prompts.get(i)));
                c.add(PairScoring.completion(tokenizer, responses.get(i), i, "response"));
            }
            try (NDScope ignored = new NDScope()) {
                CompletionScores s = SequenceScorer.score(model, manager, p, c);
                float[] sums = s.sums().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                for (int i = from; i < to; i++) {
                    out[i] = Math.exp(-sums[i - from] / s.counts()[i - from]);
                }
            }
        }
        return out;
    }

    /** Indices of the {@code max(1, int(n * ratio))} largest perplexities, largest first (ties: lower index first). */
    public static int[] mostDeficient(double[] perplexity, double ratio) {
        if (!(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("deficiency ratio must lie in (0, 1], got " + ratio);
        }
        if (perplexity.length == 0) {
            return new int[0];
        }
        int keep = Math.max(1, (int) (perplexity.length * ratio));
        Integer[] order = new Integer[perplexity.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -perplexity[i]));
        return Arrays.stream(order, 0, keep).mapToInt(Integer::intValue).toArray();
    }
}
