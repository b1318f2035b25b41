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
 * <p>Prompts are decoded in batches of similar length; a batch decodes as far as its longest row leaves room for in
 * {@code maxPositions}, and a row cut short of its own budget that way continues in the next round from its own tokens,
 * so greedy responses do not depend on the batch (text is re-encoded only where a tool call is cut and its result
 * appended). Randomness (when sampling) comes from the given {@link Rng} only, rows in input order
 * within each batch, so a seed fixes the responses.
 */
public final class ResponseGenerator {
    private static final String CALL_END = "</call>";
    private final DecoderLm model;
    private final Tokenizer tokenizer;
    private final dev.fulcrum.lm.data.ChatTemplate chat;

    public ResponseGenerator(DecoderLm model, Tokenizer tokenizer) {
        this(model, tokenizer, null);
    }

    /**
     * With a chat template, each task prompt is sent as the user's turn (with the opening of the assistant's turn) and a
     * response ends at the assistant's end-of-turn marker: the generator of a model trained on conversational data.
     */
    public ResponseGenerator(DecoderLm model, Tokenizer tokenizer, dev.fulcrum.lm.data.ChatTemplate chat) {
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids, the model's vocabulary only "
                    + model.config().vocabSize());
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.chat = chat;
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
        List<String> out = respondIds(manager, prompts, settings, rng).stream().map(tokenizer::decode).toList();
        return chat == null ? out : out.stream().map(chat::untilEndOfTurn).toList();
    }

    /** The responses as token ids (the model's own tokens, and the encoded tool results), without the end token. */
    public List<int[]> respondIds(NDManager manager, List<String> prompts, Settings settings, Rng rng) {
        return continueIds(manager, prompts, java.util.Collections.nCopies(prompts.size(), ""), settings, rng);
    }

    /**
     * Continuations of partial responses: row i starts from {@code partial.get(i)} written after the prompt (encoded on
     * its own, as a completion is in training; its tool calls count toward {@code maxToolCalls}, its tokens toward
     * {@code maxNewTokens}) and returns only the text written after it.
     */
    public List<String> continueResponses(NDManager manager, List<String> prompts, List<String> partial, Settings settings, Rng rng) {
        List<int[]> ids = continueIds(manager, prompts, partial, settings, rng);
        List<String> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            int from = partial.get(i).isEmpty() ? 0 : tokenizer.encode(partial.get(i)).length;
            String text = tokenizer.decode(Arrays.copyOfRange(ids.get(i), from, ids.get(i).length));
            out.add(chat == null ? text : chat.untilEndOfTurn(text));
        }
        return out;
    }

    /** Whole responses (partial response included) as token ids, continued from {@code partial}; see {@link #continueResponses}. */
    public List<int[]> continueIds(NDManager manager, List<String> prompts, List<String> partial, Settings settings, Rng rng) {
        int n = prompts.size();
        if (partial.size() != n) {
            throw new IllegalArgumentException(n + " prompts but " + partial.size() + " partial responses");
        }
        int[][] written = new int[n][0]; // the response so far as the model's own tokens (plus encoded tool results)
        int[] calls = new int[n];
        for (int i = 0; i < n; i++) {
            if (!partial.get(i).isEmpty()) {
                written[i] = tokenizer.encode(partial.get(i));
                calls[i] = ToolExecutor.calls(partial.get(i)).size();
            }
        }
        boolean[] done = new boolean[n];
        int[][] promptIds = new int[n][];
        for (int i = 0; i < n; i++) {
            promptIds[i] = promptIds(chat == null ? prompts.get(i) : chat.userPrompt(prompts.get(i)));
        }
        int eos = tokenizer.special().eos();
        while (true) {
            List<Integer> active = new ArrayList<>();
            int[][] inputs = new int[n][];
            int[] budget = new int[n];
            for (int i = 0; i < n; i++) {
                if (done[i]) {
                    continue;
                }
                inputs[i] = concat(promptIds[i], written[i]);
                budget[i] = Math.min(settings.maxNewTokens() - written[i].length, model.config().maxPositions() - inputs[i].length);
                if (budget[i] <= 0) {
                    done[i] = true;
                } else {
                    active.add(i);
                }
            }
            if (active.isEmpty()) {
                break;
            }
            active.sort(Comparator.comparingInt(i -> inputs[i].length));
            for (int from = 0; from < active.size(); from += settings.batchSize()) {
                List<Integer> rows = active.subList(from, Math.min(active.size(), from + settings.batchSize()));
                int longest = rows.stream().mapToInt(i -> inputs[i].length).max().orElseThrow();
                // rows share one decoding length; a row cut short of its own budget by the batch's longest prompt continues
                // in the next round (at least one token per round: every active row has room for one)
                int limit = Math.min(rows.stream().mapToInt(i -> budget[i]).max().orElseThrow(),
                        model.config().maxPositions() - longest);
                GenerationConfig cfg = new GenerationConfig(limit, settings.temperature(), settings.topK(), settings.topP(),
                        eos >= 0 ? new int[] {eos} : new int[0]);
                List<Completion> out = new Generator(model).generate(manager, rows.stream().map(i -> inputs[i]).toList(), cfg, rng);
                for (int r = 0; r < rows.size(); r++) {
                    int i = rows.get(r);
                    int[] tokens = out.get(r).tokens();
                    int keep = Math.min(tokens.length, budget[i]);
                    boolean ended = keep > 0 && tokens[keep - 1] == eos;
                    int[] fresh = Arrays.copyOf(tokens, ended ? keep - 1 : keep);
                    String before = tokenizer.decode(written[i]);
                    String text = tokenizer.decode(fresh);
                    int cut = calls[i] < settings.maxToolCalls() ? pendingCallEnd(before, text) : -1;
                    if (cut >= 0) {
                        ToolExecutor.Call call = ToolExecutor.calls(before + text.substring(0, cut)).getLast();
                        written[i] = concat(written[i], tokenizer.encode(text.substring(0, cut) + "<result>"
                                + ToolExecutor.resultFor(call.body()) + "</result>"));
                        calls[i]++;
                    } else {
                        written[i] = concat(written[i], fresh);
                        done[i] = ended || keep == budget[i];
                    }
                }
            }
        }
        return List.of(written);
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
