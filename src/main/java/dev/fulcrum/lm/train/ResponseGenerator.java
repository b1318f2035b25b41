package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.model.Completion;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.GenerationConfig;
import dev.fulcrum.lm.model.Generator;
import dev.fulcrum.lm.task.ToolExecutor;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Responses of a model to text prompts, with tool calls executed along the way. A prompt is fed as it is trained on
 * ({@code <bos> prompt}, the response following directly); a response ends at {@code <eos>} or when it holds
 * {@code maxNewTokens} tokens. When the text written so far ends with a tool call that has no result
 * ({@link ToolExecutor#awaitsResult}), the call is cut there, {@link ToolExecutor#resultFor} appends its result, and the
 * model continues from the longer transcript; at most {@code maxToolCalls} calls are run per response, later ones are
 * left as text. Executor results count toward the token budget.
 *
 * <p>Prompts are decoded in batches of similar length. Randomness (when sampling) comes from the given {@link Rng}
 * only, rows in input order within each batch, so a seed fixes the responses.
 */
public final class ResponseGenerator {
    private static final String CALL_END = "</call>";
    private final DecoderLm model;
    private final Tokenizer tokenizer;

    public ResponseGenerator(DecoderLm model, Tokenizer tokenizer) {
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids, the model's vocabulary only "
                    + model.config().vocabSize());
        }
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Decoding settings shared by all prompts: greedy when {@code temperature == 0}. */
    public record Settings(int maxNewTokens, int maxToolCalls, double temperature, int topK, double topP, int batchSize) {
        public static Settings greedy(int maxNewTokens, int maxToolCalls, int batchSize) {
            return new Settings(maxNewTokens, maxToolCalls, 0, 0, 1, batchSize);
        }
    }

    /** The prompt's ids as the model sees them: BOS (when the tokenizer has one) and the prompt's tokens. */
    public int[] promptIds(String prompt) {
        int[] ids = tokenizer.encode(prompt);
        int bos = tokenizer.special().bos();
        if (bos < 0) {
            if (ids.length == 0) {
                throw new IllegalArgumentException("an empty prompt needs a tokenizer with a BOS token");
            }
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** One response per prompt, in order. */
    public List<String> respond(NDManager manager, List<String> prompts, Settings settings, Rng rng) {
        int n = prompts.size();
        String[] transcripts = new String[n];
        Arrays.fill(transcripts, "");
        int[] calls = new int[n];
        boolean[] done = new boolean[n];
        int[][] promptIds = new int[n][];
        for (int i = 0; i < n; i++) {
            promptIds[i] = promptIds(prompts.get(i));
        }
        int eos = tokenizer.special().eos();
        while (true) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!done[i]) {
                    active.add(i);
                }
            }
            if (active.isEmpty()) {
                break;
            }
            int[][] inputs = new int[n][];
            int[] budget = new int[n];
            for (int i : active) {
                int[] written = tokenizer.encode(transcripts[i]);
                inputs[i] = concat(promptIds[i], written);
                budget[i] = Math.min(settings.maxNewTokens() - written.length, model.config().maxPositions() - inputs[i].length);
                if (budget[i] <= 0) {
                    done[i] = true;
                }
            }
            active.removeIf(i -> done[i]);
            active.sort(Comparator.comparingInt(i -> inputs[i].length));
            for (int from = 0; from < active.size(); from += settings.batchSize()) {
                List<Integer> rows = active.subList(from, Math.min(active.size(), from + settings.batchSize()));
                int limit = rows.stream().mapToInt(i -> budget[i]).max().orElseThrow();
                GenerationConfig cfg = new GenerationConfig(limit, settings.temperature(), settings.topK(), settings.topP(),
                        eos >= 0 ? new int[] {eos} : new int[0]);
                List<Completion> out = new Generator(model).generate(manager, rows.stream().map(i -> inputs[i]).toList(), cfg, rng);
                for (int r = 0; r < rows.size(); r++) {
                    int i = rows.get(r);
                    int[] tokens = out.get(r).tokens();
                    int keep = Math.min(tokens.length, budget[i]);
                    if (keep > 0 && tokens[keep - 1] == eos) {
                        keep--;
                    }
                    String text = tokenizer.decode(Arrays.copyOf(tokens, keep));
                    int cut = calls[i] < settings.maxToolCalls() ? pendingCallEnd(transcripts[i], text) : -1;
                    if (cut >= 0) {
                        String withCall = transcripts[i] + text.substring(0, cut);
                        ToolExecutor.Call call = ToolExecutor.calls(withCall).getLast();
                        transcripts[i] = withCall + "<result>" + ToolExecutor.resultFor(call.body()) + "</result>";
                        calls[i]++;
                    } else {
                        transcripts[i] += text;
                        done[i] = true;
                    }
                }
            }
        }
        return List.of(transcripts);
    }

    /** Index just past the first {@code </call>} of {@code text} that closes a call awaiting its result, or -1. */
    static int pendingCallEnd(String transcript, String text) {
        for (int at = text.indexOf(CALL_END); at >= 0; at = text.indexOf(CALL_END, at + 1)) {
            int end = at + CALL_END.length();
            if (ToolExecutor.awaitsResult(transcript + text.substring(0, end))) {
                return end;
            }
        }
        return -1;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
