package dev.fulcrum.lm.itool;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.model.CompletionScores;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.task.ToolExecutor;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.ResponseGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The policy's candidate steps for {@link Mcts}, for one prompt: {@code count} continuations of the partial response are
 * sampled in one batch (tool calls executed, {@link ResponseGenerator#continueResponses}) and each is cut at its first
 * step boundary: just past the result of its first tool call ({@link #stepEnd}). A continuation without a completed call
 * is one terminal step (e.g. {@code Answer: 29}). The step's prior comes from the mean log-probability of its tokens
 * under the policy (a terminal step's end token included), scored given {@code <bos> prompt partial}.
 */
public final class ModelStepPolicy implements Mcts.StepPolicy {
    private final DecoderLm model;
    private final Tokenizer tokenizer;
    private final NDManager manager;
    private final ResponseGenerator generator;
    private final String prompt;
    private final ResponseGenerator.Settings sampling;
    private final Rng rng;

    /** @param sampling temperature, token and tool-call budgets of the sampled continuations (batch size: per call) */
    public ModelStepPolicy(DecoderLm model, Tokenizer tokenizer, NDManager manager, String prompt, ResponseGenerator.Settings sampling,
                           Rng rng) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.generator = new ResponseGenerator(model, tokenizer);
        this.prompt = prompt;
        this.sampling = sampling;
        this.rng = rng;
    }

    /** Index just past the first tool call's written result, or -1 when the text has no call with a result. */
    public static int stepEnd(String text) {
        List<ToolExecutor.Call> calls = ToolExecutor.calls(text);
        if (calls.isEmpty() || calls.getFirst().writtenResult() == null) {
            return -1;
        }
        return calls.getFirst().resultEnd();
    }

    @Override
    public List<Mcts.Candidate> sample(String prefix, int count, boolean wholeRest) {
        List<String> continuations;
        try (NDScope ignored = new NDScope()) {
            continuations = generator.continueResponses(manager, Collections.nCopies(count, prompt), Collections.nCopies(count, prefix),
                    sampling, rng);
        }
        List<String> steps = new ArrayList<>(count), rests = new ArrayList<>(count);
        boolean[] terminal = new boolean[count];
        for (int i = 0; i < count; i++) {
            String c = continuations.get(i);
            int end = wholeRest ? -1 : stepEnd(c);
            terminal[i] = end < 0 || end == c.length();
            steps.add(end < 0 ? c : c.substring(0, end));
            rests.add(end < 0 ? "" : c.substring(end));
        }
        double[] logProbs = meanLogProbs(prefix, steps, terminal);
        List<Mcts.Candidate> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Mcts.Candidate(steps.get(i), rests.get(i), logProbs[i], terminal[i]));
        }
        return out;
    }

    /** Mean token log-probability of each step after {@code <bos> prompt prefix} (with the end token for terminal steps). */
    double[] meanLogProbs(String prefix, List<String> steps, boolean[] terminal) {
        int[] head = generator.promptIds(prompt);
        int[] context = prefix.isEmpty() ? head : concat(head, tokenizer.encode(prefix));
        int eos = tokenizer.special().eos();
        List<int[]> prompts = new ArrayList<>(), completions = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        double[] out = new double[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            int[] ids = steps.get(i).isEmpty() ? new int[0] : tokenizer.encode(steps.get(i));
            if (terminal[i] && eos >= 0) {
                ids = concat(ids, new int[] {eos});
            }
            if (ids.length == 0 || context.length + ids.length - 1 > model.config().maxPositions()) {
                out[i] = Math.log(0.1); // nothing to score (the code's fallback prior is 0.1 too)
                continue;
            }
            prompts.add(context);
            completions.add(ids);
            rows.add(i);
        }
        if (!rows.isEmpty()) {
            try (NDScope ignored = new NDScope()) {
                CompletionScores s = SequenceScorer.score(model, manager, prompts, completions);
                float[] means = s.means().toType(DataType.FLOAT32, false).toFloatArray();
                for (int r = 0; r < rows.size(); r++) {
                    out[rows.get(r)] = means[r];
                }
            }
        }
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
