package dev.fulcrum.lm.diagnostics;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sequence log-probabilities of preference pairs under one model: {@code lp(y | x) = sum_t log pi(y_t | <bos> x, y_<t)}
 * of the chosen and the rejected response, each followed by {@code <eos>} (so the decision to stop is scored too, as
 * supervised training teaches it), with their lengths in tokens. Pairs are scored in batches by
 * {@link SequenceScorer}; a pair's numbers do not depend on its batch.
 */
public final class PairScoring {
    /** One pair under one model. */
    public record Scored(double chosen, double rejected, int chosenTokens, int rejectedTokens) {
    }

    private PairScoring() {
    }

    public static List<Scored> score(DecoderLm model, Tokenizer tokenizer, NDManager manager, List<PreferenceExample> pairs,
                                     int batchSize) {
        List<int[]> prompts = new ArrayList<>(), chosen = new ArrayList<>(), rejected = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            PreferenceExample e = pairs.get(i);
            prompts.add(prompt(tokenizer, text(e.prompt(), i)));
            chosen.add(completion(tokenizer, text(e.chosen(), i), i, "chosen"));
            rejected.add(completion(tokenizer, text(e.rejected(), i), i, "rejected"));
        }
        double[] lpChosen = logProbs(model, manager, prompts, chosen, batchSize);
        double[] lpRejected = logProbs(model, manager, prompts, rejected, batchSize);
        List<Scored> out = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            out.add(new Scored(lpChosen[i], lpRejected[i], chosen.get(i).length, rejected.get(i).length));
        }
        return out;
    }

    private static String text(Content c, int row) {
        if (c instanceof Content.Text t) {
            return t.text();
        }
        throw new IllegalArgumentException("pair " + (row + 1) + " is conversational; scoring reads prompt/chosen/rejected text "
                + "(no chat template is implemented)");
    }

    /** {@code <bos> prompt} (no BOS when the tokenizer has none; then the prompt must not be empty). */
    public static int[] prompt(Tokenizer tokenizer, String prompt) {
        int[] ids = tokenizer.encode(prompt);
        int bos = tokenizer.special().bos();
        if (bos < 0) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** {@code response <eos>} (no EOS when the tokenizer has none). */
    public static int[] completion(Tokenizer tokenizer, String response, int row, String field) {
        int[] ids = tokenizer.encode(response);
        int eos = tokenizer.special().eos();
        int[] out = eos < 0 ? ids : Arrays.copyOf(ids, ids.length + 1);
        if (eos >= 0) {
            out[ids.length] = eos;
        }
        if (out.length == 0) {
            throw new IllegalArgumentException("pair " + (row + 1) + ": field '" + field + "' is empty");
        }
        return out;
    }

    private static double[] logProbs(DecoderLm model, NDManager manager, List<int[]> prompts, List<int[]> completions, int batchSize) {
        double[] out = new double[prompts.size()];
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            try (NDScope ignored = new NDScope()) {
                double[] s = SequenceScorer.score(model, manager, prompts.subList(from, to), completions.subList(from, to)).sums()
                        .toType(DataType.FLOAT64, false).toDoubleArray();
                System.arraycopy(s, 0, out, from, s.length);
            }
        }
        return out;
    }
}
