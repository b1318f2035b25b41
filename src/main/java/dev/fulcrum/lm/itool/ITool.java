package dev.fulcrum.lm.itool;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.ChatTemplate;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftExample;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.diagnostics.PairScoring;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.io.HfConfig;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ModelSpec;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.SolveRateEvaluation;
import dev.fulcrum.lm.train.SolveRateSettings;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * iTool (Zeng et al. 2025, arXiv 2501.09766): iterative reinforced fine-tuning for tool use.
 * <pre>
 *   warm-up SFT on the synthetic data, easy to hard (dataOrder=easy-to-hard: fewer tool calls first)
 *   repeat T times:
 *     deficiency selection: the deficiencyRatio (30%) of the search pool whose gold response has the highest
 *                           perplexity under the current policy ({@link Deficiency})
 *     MCTS on each selected problem ({@link Mcts} with {@link ModelStepPolicy}; value = the task oracle's reward)
 *       -> step-level pairs: prompt + shared partial response, best-child completion, worst-child completion
 *     preference update of the policy on those pairs with SimPO (beta 2.5, gamma 0.5), by LmTrainer (objective dpo)
 * </pre>
 * Signal: the search's step-level pairs (oracle-valued rollouts); anchor: none in SimPO beyond the starting policy and a
 * few updates per round; balance: SimPO's beta and gamma, and the number of updates.
 *
 * <p>Run directory: {@code config.json}; {@code sft.jsonl} (the synthetic data, easy to hard); {@code warmup/} (an SFT
 * run); {@code iter-N/} with {@code deficient.jsonl} (the selected problems and their perplexities), {@code pairs.jsonl}
 * (the step-level pairs, TRL standard layout), {@code search.json} (search statistics) and {@code run/} (the SimPO run);
 * {@code summary.json} with every stage's solve rate on fresh problems of {@code evalFamilies}. A stage whose output is
 * complete is not redone, so an interrupted run continues where it stopped.
 */
public final class ITool {
    /** How one stage's model did on the evaluation problems. */
    public record StageScore(String stage, String model, int problems, int solved, double meanReward) {
        public double solveRate() {
            return problems == 0 ? 0 : (double) solved / problems;
        }
    }

    private final IToolConfig config;
    private final Path out;
    private Consumer<String> log = s -> { };
    private boolean progress;
    private Set<String> excludedFromEvaluation = Set.of();

    public ITool(IToolConfig config, Path out) {
        this.config = config;
        this.out = out;
    }

    public ITool log(Consumer<String> sink) {
        this.log = sink;
        return this;
    }

    public ITool progressBar(boolean on) {
        this.progress = on;
        return this;
    }

    /** Evaluation problems with these prompts are skipped too (besides the run's own SFT prompts), e.g. a larger data set's. */
    public ITool excludeFromEvaluation(Set<String> prompts) {
        this.excludedFromEvaluation = Set.copyOf(prompts);
        return this;
    }

    /** Runs (or continues) every stage; returns the scores of the starting model, the warm-up and each iteration. */
    public List<StageScore> run() {
        if (config.init().isBlank()) {
            throw new IllegalArgumentException("init: iTool starts from a trained model; pass --init RUN_OR_MODEL_DIR");
        }
        Path initModel = ModelDirectories.resolve(Path.of(config.init()));
        if (Files.isRegularFile(initModel.resolve(ChatTemplate.JINJA_FILE))) {
            throw new IllegalArgumentException(initModel + " has a chat template; iTool works on plain-text (prompt-completion) models");
        }
        List<TaskFamily> families = TaskSuite.select(config.families());
        List<OracleDatasets.Source> sources = OracleDatasets.sources(families.stream().map(TaskFamily::name).toList(),
                config.dataSeed(), config.problemsPerFamily());
        writeOnce(out.resolve("config.json"), Json.pretty(config) + "\n");
        Path sftData = out.resolve("sft.jsonl");
        List<SftExample> sft = OracleDatasets.sft(sources, false);
        if (!Files.isRegularFile(sftData)) {
            SftJsonl.write(sftData, sft, SftFormat.PROMPT_COMPLETION);
        }
        Set<String> trainingPrompts = new HashSet<>(excludedFromEvaluation);
        sources.forEach(s -> trainingPrompts.add(s.problem().prompt()));
        List<Problem> pool = new ArrayList<>();
        for (OracleDatasets.Source s : sources) {
            if (s.index() < config.searchPoolPerFamily()) {
                pool.add(s.problem());
            }
        }

        List<StageScore> scores = new ArrayList<>();
        scores.add(evaluate("init", initModel, trainingPrompts));
        Path model = initModel;
        if (config.warmupSteps() > 0) {
            model = warmUp(sftData, initModel);
            scores.add(evaluate("warmup", model, trainingPrompts));
        }
        for (int t = 1; t <= config.iterations(); t++) {
            model = iterate(t, model, pool);
            scores.add(evaluate("iter-" + t, model, trainingPrompts));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", "itool");
        summary.put("eval_families", config.evalFamilies());
        summary.put("stages", scores.stream().map(s -> Map.of("stage", s.stage(), "model", s.model(), "problems", s.problems(),
                "solved", s.solved(), "solve_rate", s.solveRate(), "mean_reward", s.meanReward())).toList());
        AtomicFiles.writeString(out.resolve("summary.json"), Json.pretty(summary) + "\n");
        return scores;
    }

    private Path warmUp(Path sftData, Path initModel) {
        Path dir = out.resolve("warmup");
        log.accept("warm-up SFT (easy to hard): " + config.warmupSteps() + " updates");
        train(dir, "sft", sftData, initModel, List.of("dataOrder=easy-to-hard", "steps=" + config.warmupSteps(),
                "optimizer.learningRate=" + config.sftLearningRate(), "optimizer.minLearningRate=" + config.sftLearningRate() / 10,
                "optimizer.warmupSteps=" + Math.min(50, config.warmupSteps() / 10)));
        return dir.resolve(LmTrainer.MODEL_DIR);
    }

    /** One round: deficiency selection, search, SimPO update; returns the new model (the old one when no pair was found). */
    private Path iterate(int t, Path model, List<Problem> pool) {
        Path dir = out.resolve("iter-" + t);
        Path pairsFile = dir.resolve("pairs.jsonl");
        Rng rng = new Rng(config.seed()).split("iter-" + t);
        if (!Files.isRegularFile(pairsFile)) {
            search(dir, model, pool, rng);
        }
        List<PreferenceExample> pairs = PreferenceJsonl.read(pairsFile);
        List<PreferenceExample> fitting = fitting(pairs, model);
        if (fitting.size() < pairs.size()) { // a rollout that ran into maxPositions: its pair cannot be scored whole
            log.accept("iteration " + t + ": " + (pairs.size() - fitting.size()) + " pair(s) longer than the model's maxPositions left out");
            pairs = fitting;
            pairsFile = dir.resolve("pairs-fitting.jsonl");
            PreferenceJsonl.write(pairsFile, pairs, PreferenceFormat.STANDARD);
        }
        if (pairs.size() < 2) {
            log.accept("iteration " + t + ": " + pairs.size() + " pair(s), no update");
            return model;
        }
        log.accept("iteration " + t + ": SimPO on " + pairs.size() + " step-level pairs, " + config.preferenceSteps() + " updates");
        Path run = dir.resolve("run");
        train(run, "dpo", pairsFile, model, List.of("steps=" + config.preferenceSteps(), "preference.loss=simpo",
                "preference.beta=" + config.simpoBeta(), "preference.simpoGamma=" + config.simpoGamma(),
                "preference.heldOutFraction=" + (pairs.size() >= 20 ? 0.1 : 0.0), "preference.klSamples=0",
                "optimizer.learningRate=" + config.preferenceLearningRate(),
                "optimizer.minLearningRate=" + config.preferenceLearningRate() / 10,
                "optimizer.warmupSteps=" + Math.min(10, config.preferenceSteps() / 10)));
        return run.resolve(LmTrainer.MODEL_DIR);
    }

    private void search(Path dir, Path modelDir, List<Problem> pool, Rng rng) {
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
            Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
            try {
                double[] ppl = Deficiency.perplexities(model, tokenizer, manager, pool.stream().map(Problem::prompt).toList(),
                        pool.stream().map(Problem::reference).toList(), 32);
                int[] chosen = Deficiency.mostDeficient(ppl, config.deficiencyRatio());
                List<String> deficient = new ArrayList<>();
                List<PreferenceExample> rows = new ArrayList<>();
                Mcts.Settings settings = new Mcts.Settings(config.mctsIterations(), config.mctsWidth(), config.mctsDepth(),
                        config.exploration(), config.minGap());
                ResponseGenerator.Settings sampling = new ResponseGenerator.Settings(config.maxNewTokens(), config.maxToolCalls(),
                        config.temperature(), 0, 1, config.mctsWidth());
                int nodes = 0;
                double rootValue = 0, bestReward = 0;
                log.accept("deficiency selection: " + chosen.length + " of " + pool.size() + " problems; searching");
                for (int rank = 0; rank < chosen.length; rank++) {
                    Problem p = pool.get(chosen[rank]);
                    deficient.add(Json.line(Map.of("rank", rank, "family", p.family(), "prompt", p.prompt(), "perplexity", ppl[chosen[rank]])));
                    ModelStepPolicy policy = new ModelStepPolicy(model, tokenizer, manager, p.prompt(), sampling,
                            rng.split("search-" + rank));
                    Mcts mcts = new Mcts(policy, p::score, settings);
                    Mcts.Node root = mcts.search();
                    nodes += count(root);
                    rootValue += root.value();
                    bestReward += root.bestRollout().reward();
                    for (Mcts.Pair pair : mcts.pairs()) {
                        Map<String, JsonNode> extra = new LinkedHashMap<>();
                        extra.put("family", Json.MAPPER.valueToTree(p.family()));
                        extra.put("depth", Json.MAPPER.valueToTree(pair.depth()));
                        extra.put("chosen_value", Json.MAPPER.valueToTree(pair.chosenValue()));
                        extra.put("rejected_value", Json.MAPPER.valueToTree(pair.rejectedValue()));
                        extra.put("chosen_reward", Json.MAPPER.valueToTree(p.score(pair.prefix() + pair.chosen())));
                        extra.put("rejected_reward", Json.MAPPER.valueToTree(p.score(pair.prefix() + pair.rejected())));
                        rows.add(new PreferenceExample(Content.text(p.prompt() + pair.prefix()), Content.text(pair.chosen()),
                                Content.text(pair.rejected()), extra));
                    }
                }
                Files.createDirectories(dir);
                AtomicFiles.writeString(dir.resolve("deficient.jsonl"), String.join("\n", deficient) + (deficient.isEmpty() ? "" : "\n"));
                Map<String, Object> stats = new LinkedHashMap<>();
                stats.put("pool", pool.size());
                stats.put("searched", chosen.length);
                stats.put("pairs", rows.size());
                stats.put("nodes", nodes);
                stats.put("mean_root_value", chosen.length == 0 ? 0 : rootValue / chosen.length);
                stats.put("mean_best_rollout_reward", chosen.length == 0 ? 0 : bestReward / chosen.length);
                stats.put("mean_perplexity_searched", java.util.Arrays.stream(chosen).mapToDouble(i -> ppl[i]).average().orElse(0));
                stats.put("mean_perplexity_pool", java.util.Arrays.stream(ppl).average().orElse(0));
                AtomicFiles.writeString(dir.resolve("search.json"), Json.pretty(stats) + "\n");
                PreferenceJsonl.write(dir.resolve("pairs.jsonl"), rows, PreferenceFormat.STANDARD); // last: marks the search done
                log.accept("search: " + rows.size() + " pairs from " + chosen.length + " problems (" + nodes + " nodes)");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                TokenizerFiles.close(tokenizer);
            }
        }
    }

    /**
     * The pairs that fit the model whole: prompt and the longer response within {@code maxPositions}, measured as the
     * preference trainer measures them ({@link PairScoring}). A search rollout that stopped at the position limit makes a
     * pair a few tokens too long once the end-of-sequence token is added; the trainer refuses such a pair, so it is left
     * out here (and counted in the log).
     */
    static List<PreferenceExample> fitting(List<PreferenceExample> pairs, Path modelDir) {
        int maxPositions = HfConfig.read(modelDir.resolve("config.json")).maxPositions();
        Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
        try {
            List<PreferenceExample> kept = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                PreferenceExample e = pairs.get(i);
                int prompt = PairScoring.prompt(tokenizer, text(e.prompt())).length;
                int longest = Math.max(PairScoring.completion(tokenizer, text(e.chosen()), i, "chosen").length,
                        PairScoring.completion(tokenizer, text(e.rejected()), i, "rejected").length);
                if (prompt + longest - 1 <= maxPositions) {
                    kept.add(e);
                }
            }
            return kept;
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    private static String text(Content c) {
        if (c instanceof Content.Text t) {
            return t.text();
        }
        throw new IllegalArgumentException("iTool's step-level pairs are plain text, got a conversational row");
    }

    private static int count(Mcts.Node n) {
        int c = 1;
        for (Mcts.Node child : n.children()) {
            c += count(child);
        }
        return c;
    }

    /** An LmTrainer run in {@code dir} from {@code init}; continued if interrupted, skipped if finished. */
    private void train(Path dir, String objective, Path data, Path init, List<String> overrides) {
        if (Files.isRegularFile(dir.resolve("summary.json")) && Files.isDirectory(dir.resolve(LmTrainer.MODEL_DIR))) {
            return;
        }
        List<String> o = new ArrayList<>(List.of("data=" + data, "init=" + init, "seed=" + config.seed(),
                "batchSize=" + config.batchSize(), "logEvery=10", "evalEvery=1000000", "keepCheckpoints=1",
                "eval.families=" + config.evalFamilies(), "eval.problemsPerFamily=1"));
        o.addAll(overrides);
        LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults(objective, ModelSpec.tiny()), null, o);
        boolean resume = Files.isRegularFile(dir.resolve("config.json"));
        new LmTrainer(cfg, dir).resume(resume).progressBar(progress).fit();
    }

    /** Greedy solve rate of a model on fresh problems of {@code evalFamilies} (training prompts skipped). */
    private StageScore evaluate(String stage, Path modelDir, Set<String> trainingPrompts) {
        StageScore score = evaluate(stage, modelDir, evaluationSettings(config), trainingPrompts);
        log.accept("%s: solved %d of %d (%.3f), mean reward %.3f".formatted(stage, score.solved(), score.problems(), score.solveRate(),
                score.meanReward()));
        return score;
    }

    /** The evaluation a config asks for: greedy, its families, problem count, seed and budgets. */
    public static SolveRateSettings evaluationSettings(IToolConfig config) {
        return new SolveRateSettings(config.evalFamilies(), config.evalProblems(), config.evalSeed(), config.maxNewTokens(),
                config.maxToolCalls(), 64);
    }

    /** Greedy solve rate and mean gold reward of the model in {@code modelDir} on the problems of {@code s} not in {@code excluded}. */
    public static StageScore evaluate(String stage, Path modelDir, SolveRateSettings s, Set<String> excluded) {
        SolveRateEvaluation.Problems problems = SolveRateEvaluation.problems(s, Set.of(), excluded);
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
            Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
            try {
                SolveRateEvaluation.Result r = SolveRateEvaluation.evaluate(new ResponseGenerator(model, tokenizer), manager, problems, s, 0);
                int n = 0, solved = 0;
                double reward = 0;
                for (SolveRateEvaluation.FamilyScore f : r.families()) {
                    n += f.problems();
                    solved += f.solved();
                    reward += f.meanReward() * f.problems();
                }
                return new StageScore(stage, modelDir.toString(), n, solved, n == 0 ? 0 : reward / n);
            } finally {
                TokenizerFiles.close(tokenizer);
            }
        }
    }

    private static void writeOnce(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            if (Files.isRegularFile(file)) {
                if (!Files.readString(file).equals(content)) {
                    throw new IllegalArgumentException(file + " holds another configuration; choose another --out");
                }
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.writeString(file, content);
    }
}
