package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.lm.data.ChatTemplate;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.SftExample;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.CompletionScores;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Supervised fine-tuning (or training from scratch) on prompt-completion pairs: maximum likelihood of the completion given
 * the prompt, the loss counting completion tokens only (TRL's {@code completion_only_loss}):
 * <pre>
 *   L = - sum_i sum_t log pi(y_{i,t} | x_i, y_{i,&lt;t}) / sum_i |y_i|        ({@link TokenCrossEntropy})
 * </pre>
 * Each example is {@code <bos> prompt} followed by {@code completion <eos>}: the end token is part of the completion, so
 * the model learns to stop. Evaluation: {@link SolveRateEvaluation} on fresh problems of the training families (read
 * from the rows' {@code family} column) and of the held-out families.
 */
public final class SftObjective implements LmObjective {
    private final DecoderLm model;
    private final Tokenizer tokenizer;
    private final List<int[]> prompts = new ArrayList<>();
    private final List<int[]> completions = new ArrayList<>();
    private final int[] lengths;
    /** The rows' {@code steps} column (difficulty), -1 where a row has none. */
    private final int[] steps;
    private final SolveRateSettings evalSettings;
    private final SolveRateEvaluation.Problems evalProblems;
    private final String dataPath;
    private SolveRateEvaluation.Result lastEvaluation;
    /** The template conversational data was rendered with; null for plain-text data. */
    private final ChatTemplate chat;

    public SftObjective(DecoderLm model, Tokenizer tokenizer, List<SftExample> data, String dataPath, SolveRateSettings evalSettings) {
        this(model, tokenizer, data, dataPath, evalSettings, ChatTemplate.chatml());
    }

    /** Conversational examples are rendered with {@code chat} (and then evaluated through it, prompts as user turns). */
    public SftObjective(DecoderLm model, Tokenizer tokenizer, List<SftExample> data, String dataPath, SolveRateSettings evalSettings,
                        ChatTemplate chat) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException(dataPath + ": no SFT examples");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.dataPath = dataPath;
        this.evalSettings = evalSettings;
        ResponseGenerator shape = new ResponseGenerator(model, tokenizer);
        int eos = tokenizer.special().eos();
        if (eos < 0) {
            throw new IllegalArgumentException("tokenizer " + tokenizer + " has no end-of-sequence token; SFT needs one to teach stopping");
        }
        Set<String> families = new LinkedHashSet<>();
        Set<String> seenPrompts = new HashSet<>();
        lengths = new int[data.size()];
        steps = new int[data.size()];
        boolean conversational = false;
        for (int i = 0; i < data.size(); i++) {
            SftExample e = data.get(i);
            String promptText, completionText;
            if (e.prompt() instanceof Content.Text prompt && e.completion() instanceof Content.Text completion) {
                promptText = prompt.text();
                completionText = completion.text();
            } else {
                ChatTemplate.Rendered r;
                try {
                    r = chat.split(e.prompt(), e.completion());
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException(dataPath + ": example " + (i + 1) + ": " + bad.getMessage(), bad);
                }
                promptText = r.prompt();
                completionText = r.completion();
                conversational = true;
                var last = ((Content.Chat) e.prompt()).messages();
                seenPrompts.add(last.getLast().content() + "\n");
            }
            int[] p = shape.promptIds(promptText);
            int[] body = tokenizer.encode(completionText);
            int[] c = java.util.Arrays.copyOf(body, body.length + 1);
            c[body.length] = eos;
            if (p.length + c.length - 1 > model.config().maxPositions()) {
                throw new IllegalArgumentException(dataPath + ": example " + (i + 1) + " is " + (p.length + c.length)
                        + " tokens long, more than the model's maxPositions " + model.config().maxPositions());
            }
            prompts.add(p);
            completions.add(c);
            lengths[i] = p.length + c.length;
            seenPrompts.add(promptText);
            var stepsColumn = e.extra().get("steps");
            steps[i] = stepsColumn != null && stepsColumn.isIntegralNumber() && stepsColumn.canConvertToInt() && stepsColumn.asInt() >= 0 ? stepsColumn.asInt() : -1;
            var family = e.extra().get("family");
            if (family != null && family.isTextual()) {
                families.add(family.asText());
            }
        }
        this.evalProblems = SolveRateEvaluation.problems(evalSettings, families, seenPrompts);
        this.chat = conversational ? chat : null;
    }

    @Override
    public String name() {
        return "sft";
    }

    public DecoderLm model() {
        return model;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return model.parameters();
    }

    @Override
    public int[] exampleLengths() {
        return lengths.clone();
    }

    /** The rows' {@code steps} column; every row needs one. */
    @Override
    public int[] exampleDifficulties() {
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] < 0) {
                throw new IllegalArgumentException(dataPath + ": example " + (i + 1) + " has no 'steps' column (a non-negative "
                        + "integer), which dataOrder easy-to-hard orders by ('fulcrum lm make-data' writes it)");
            }
        }
        return steps.clone();
    }

    @Override
    public BatchLoss loss(NDManager manager, int[] batch) {
        List<int[]> p = new ArrayList<>(batch.length), c = new ArrayList<>(batch.length);
        long tokens = 0;
        for (int i : batch) {
            p.add(prompts.get(i));
            c.add(completions.get(i));
            tokens += lengths[i];
        }
        CompletionScores scores = SequenceScorer.score(model, manager, p, c);
        return new BatchLoss(TokenCrossEntropy.loss(scores), tokens, Map.of("completion_tokens", (double) scores.totalTokens()));
    }

    @Override
    public Map<String, Double> evaluate(NDManager manager) {
        if (evalProblems.problems().isEmpty()) {
            return Map.of();
        }
        lastEvaluation = SolveRateEvaluation.evaluate(new ResponseGenerator(model, tokenizer, chat), manager, evalProblems, evalSettings, 2);
        return lastEvaluation.metrics();
    }

    @Override
    public void export(Path dir, Path tokenizerDir) {
        HfCheckpoint.save(model, dir, tokenizerDir);
        if (chat != null) { // the model now expects its prompts in this template: say so as transformers 5 does
            dev.fulcrum.core.io.AtomicFiles.writeString(dir.resolve(ChatTemplate.JINJA_FILE), chat.jinja());
        }
    }

    @Override
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("data", Map.of("path", dataPath, "examples", lengths.length, "tokens", java.util.Arrays.stream(lengths).asLongStream().sum(),
                "completion_tokens", completions.stream().mapToLong(c -> c.length).sum()));
        s.put("parameters", model.parameterCount());
        s.put("eval_problems", Map.of("count", evalProblems.problems().size(), "skipped_as_seen_in_training",
                evalProblems.skippedAsSeen(), "families_evaluated_on_training_prompts", evalProblems.seenFamilies(),
                "seed", evalSettings.seed()));
        if (lastEvaluation != null) {
            s.put("families", lastEvaluation.families());
            s.put("samples", lastEvaluation.samples());
        }
        return s;
    }
}
