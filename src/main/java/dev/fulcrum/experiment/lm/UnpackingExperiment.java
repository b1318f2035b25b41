package dev.fulcrum.experiment.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.experiment.lm.UnpackingGrid.Algorithm;
import dev.fulcrum.experiment.lm.UnpackingGrid.Cell;
import dev.fulcrum.experiment.lm.UnpackingGrid.Prompts;
import dev.fulcrum.experiment.lm.UnpackingGrid.RewardModel;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.rl.PpoMax;
import dev.fulcrum.lm.rl.PpoRunConfig;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ModelSpec;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.TokenizerFiles;
import dev.fulcrum.lm.train.WinRateEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * "Unpacking DPO and PPO" (Ivison et al. 2024) at toy scale: from the shared SFT model, the four factors the paper ranks
 * (preference-data quality, DPO vs PPO, reward-model size, extra unlabelled prompts for PPO) changed one at a time along
 * {@link UnpackingGrid}, over seeds. Every trained policy and the SFT model answer the same fresh held-in problems greedily;
 * each cell is measured by the oracle-judged win rate against the SFT model's answers (Bradley-Terry over the gold reward,
 * t = 0.1) and by the mean gold reward. Writes a report with a table (95% t-intervals over seeds), the effect of each
 * factor (difference of means and Welch p), the factors ranked by effect and the comparison with the paper's ranking
 * (data > algorithm > reward model > prompts).
 *
 * <p>The data of both qualities ({@link UnpackingData}) and the reward models (one per size, trained on the high-quality
 * pairs, seed {@code firstSeed}) are shared by the seeds; the seeds vary the policies' training (data order, rollouts).
 */
public final class UnpackingExperiment {
    /** The families: the task suite's held-in families without tool calls (PPO's rollouts need the policy's own tokens). */
    static final String FAMILIES = PpoRunConfig.DEFAULT_FAMILIES;
    /** Problem seed of the labelled problems and of PPO's prompt pool (the SFT data used seed 0). */
    static final long DATA_SEED = 1;
    static final long EVAL_SEED = 1_000_003;
    static final double JUDGE_TEMPERATURE = 0.1;
    static final int EVAL_MAX_NEW_TOKENS = 96;
    /** Bumped when the evaluation changes, so that cached per-run evaluations are redone. */
    static final int EVAL_VERSION = 1;

    /**
     * @param cells              cells of {@link UnpackingGrid} to run
     * @param perFamily          labelled problems per family (the pairs come from them; PPO's labelled prompts are theirs)
     * @param pairsPerFamily     preference pairs per family, for either quality
     * @param extraPromptFactor  PPO's prompt pool with extra prompts is this many times the labelled one
     * @param dpoSteps           DPO updates of {@code dpoBatchSize} pairs
     * @param ppoIterations      PPO iterations of 32 rollouts (after 4 critic pre-training batches)
     * @param ppoLearningRate    PPO's policy and critic learning rate
     * @param rewardSteps        reward-model updates of 32 pairs
     * @param evalPerFamily      fresh held-in problems per family in the evaluation
     * @param policyBase         the SFT model (policy, DPO reference, PPO's KL anchor) and the base of the policy-sized RM
     * @param smallerRewardBase  the base of the smaller reward model (an SFT model of a smaller size, same tokenizer)
     * @param cache              where {@link BaseSft} keeps base models
     * @param ppoOverrides       further {@code key=value} settings of every PPO run ({@link PpoRunConfig}), after the
     *                           experiment's own
     */
    public record Settings(List<String> cells, int seeds, long firstSeed, int perFamily, int pairsPerFamily, int extraPromptFactor,
                           long dpoSteps, int dpoBatchSize, double dpoLearningRate, int ppoIterations, double ppoLearningRate,
                           long rewardSteps, int evalPerFamily, BaseSft.Spec policyBase, BaseSft.Spec smallerRewardBase, Path cache,
                           List<String> ppoOverrides, Path work, Path report) {
        public Settings {
            ppoOverrides = List.copyOf(ppoOverrides);
            UnpackingGrid.select(cells); // unknown names fail here
            cells = List.copyOf(cells);
            if (cells.isEmpty()) {
                throw new IllegalArgumentException("--cells names no cell (cells: " + String.join(", ", UnpackingGrid.names()) + ")");
            }
            if (seeds < 2) {
                throw new IllegalArgumentException("--seeds must be at least 2 for intervals, got " + seeds);
            }
            if (perFamily <= 0 || pairsPerFamily <= 0 || extraPromptFactor < 2 || dpoSteps <= 0 || dpoBatchSize <= 0 || ppoIterations <= 0
                    || rewardSteps <= 0 || evalPerFamily <= 0 || !(dpoLearningRate > 0) || !(ppoLearningRate > 0)) {
                throw new IllegalArgumentException("sizes, budgets and learning rates must be positive and --extra-prompt-factor at least 2");
            }
        }

        /** The defaults of {@code fulcrum experiment unpacking}: the standard base, the tiny base for the smaller RM. */
        public static Settings defaults(Path work, Path report) {
            return new Settings(UnpackingGrid.names(), 3, 0, 60, 150, 4, 200, 16, 1e-4, 20, 1e-4, 60, 30,
                    BaseSft.Spec.standard(), PpoMaxExperiment.tinyBase(), BaseSft.cacheRoot(), List.of(), work, report);
        }
    }

    /** One trained policy's evaluation. */
    public record Measured(String cell, long seed, double winRate, double winLo, double winHi, double goldReward, double solveRate,
                           double trainSeconds) {
    }

    /** A reward model's provenance and quality on its held-out pairs. */
    record RewardModelInfo(RewardModel size, Path run, long parameters, double heldOutAccuracy, double heldOutGoldAgreement,
                           double seconds) {
    }

    /** What the report needs besides the measurements. */
    record Context(Path policyBase, Path smallerRewardBase, long policyParameters, Map<String, UnpackingData.Dataset> datasets,
                   Map<RewardModel, RewardModelInfo> rewardModels, int evalProblems, double sftGold, double sftSolve) {
    }

    public record Outcome(List<Measured> runs, Path report) {
    }

    private UnpackingExperiment() {
    }

    public static Outcome run(Settings s, boolean progress) {
        long t0 = System.nanoTime();
        List<Cell> cells = UnpackingGrid.select(s.cells());
        Path policyBase = BaseSft.obtain(s.policyBase(), s.cache(), progress);
        boolean needSmaller = cells.stream().anyMatch(c -> c.rewardModel() == RewardModel.SMALLER);
        Path smallerBase = needSmaller ? BaseSft.obtain(s.smallerRewardBase(), s.cache(), progress) : null;
        List<String> families = TaskSuite.select(FAMILIES).stream().map(TaskFamily::name).toList();

        Map<String, UnpackingData.Dataset> datasets = new LinkedHashMap<>();
        Map<String, Path> dataFiles = new LinkedHashMap<>();
        for (Cell c : cells) {
            UnpackingData.Quality q = UnpackingData.of(c.data());
            if (!datasets.containsKey(q.name())) {
                UnpackingData.Dataset d = UnpackingData.build(q, families, DATA_SEED, s.perFamily(), s.pairsPerFamily());
                Path file = s.work().resolve("data/" + q.name() + ".jsonl");
                PreferenceJsonl.write(file, d.pairs(), PreferenceFormat.STANDARD);
                datasets.put(q.name(), d);
                dataFiles.put(q.name(), file);
                System.out.printf(Locale.ROOT, "data %s: %d pairs, label accuracy %.3f, mean gold gap %.3f%n", q.name(), d.pairs().size(),
                        d.labelAccuracy(), d.meanGoldGap());
            }
        }
        Map<RewardModel, RewardModelInfo> rewardModels = new EnumMap<>(RewardModel.class);
        for (Cell c : cells) {
            if (c.algorithm() == Algorithm.PPO && !rewardModels.containsKey(c.rewardModel())) {
                Path init = c.rewardModel() == RewardModel.SMALLER ? smallerBase : policyBase;
                Path file = dataFiles.get(UnpackingData.of(c.data()).name());
                rewardModels.put(c.rewardModel(), rewardModel(s, c.rewardModel(), init, file, progress));
            }
        }

        Set<String> trainingPrompts = new HashSet<>();
        for (TaskFamily f : TaskSuite.select(FAMILIES)) {
            TaskSuite.problems(f, DATA_SEED, s.perFamily() * s.extraPromptFactor()).forEach(p -> trainingPrompts.add(p.prompt()));
        }
        List<Problem> problems = evaluationProblems(families, s.evalPerFamily(), trainingPrompts);
        List<String> sftResponses = respond(ModelDirectories.resolve(policyBase), problems);
        double sftGold = meanGold(problems, sftResponses), sftSolve = solveRate(problems, sftResponses);
        System.out.printf(Locale.ROOT, "SFT: %d evaluation problems, mean gold reward %.3f, solve rate %.3f%n", problems.size(), sftGold, sftSolve);

        Path policyModel = ModelDirectories.resolve(policyBase);
        List<Measured> runs = new ArrayList<>();
        for (Cell c : cells) {
            for (int k = 0; k < s.seeds(); k++) {
                long seed = s.firstSeed() + k;
                Path dir = s.work().resolve("runs/" + c.name() + "-seed" + seed);
                if (c.algorithm() == Algorithm.DPO) {
                    LmTrainConfig cfg = dpoConfig(s, policyModel, dataFiles.get(UnpackingData.of(c.data()).name()), seed);
                    if (!finished(dir, cfg)) {
                        new LmTrainer(cfg, dir).progressBar(progress).fit();
                    }
                } else {
                    PpoRunConfig cfg = ppoConfig(s, c, policyModel, ModelDirectories.resolve(rewardModels.get(c.rewardModel()).run()), seed);
                    if (!finished(dir, cfg)) {
                        new PpoMax(cfg, dir).progressBar(progress).console(System.out).fit();
                    }
                }
                Measured m = measure(c.name(), seed, dir, problems, sftResponses);
                runs.add(m);
                System.out.printf(Locale.ROOT, "%s seed %d: win rate vs SFT %.3f [%.3f, %.3f], gold reward %.3f (SFT %.3f), %.0f s training%n",
                        c.name(), seed, m.winRate(), m.winLo(), m.winHi(), m.goldReward(), sftGold, m.trainSeconds());
            }
        }
        double minutes = (System.nanoTime() - t0) / 60e9;
        long policyParameters = readJson(policyBase.resolve("summary.json")).path("parameters").asLong(-1);
        Context context = new Context(policyBase, smallerBase, policyParameters, datasets, rewardModels, problems.size(), sftGold, sftSolve);
        AtomicFiles.writeString(s.work().resolve("results.json"), Json.pretty(Map.of("runs", runs, "sft_gold_reward", sftGold,
                "sft_solve_rate", sftSolve)) + "\n");
        UnpackingReport.write(s, context, runs, minutes);
        return new Outcome(runs, s.report());
    }

    /** DPO (sigmoid, beta 0.1) from the SFT model (a model directory) on one quality's pairs, the SFT model as the frozen reference. */
    static LmTrainConfig dpoConfig(Settings s, Path policyModel, Path data, long seed) {
        List<String> o = List.of("data=" + data, "init=" + policyModel, "seed=" + seed, "steps=" + s.dpoSteps(),
                "batchSize=" + s.dpoBatchSize(), "optimizer.learningRate=" + s.dpoLearningRate(),
                "optimizer.minLearningRate=" + s.dpoLearningRate() / 10, "optimizer.warmupSteps=" + Math.max(1, s.dpoSteps() / 10),
                "logEvery=10", "evalEvery=" + s.dpoSteps(), "checkpointEvery=" + s.dpoSteps(), "keepCheckpoints=1",
                "preference.loss=sigmoid", "preference.beta=0.1", "preference.heldOutFraction=0", "preference.klSamples=0");
        return ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("dpo", ModelSpec.small()), null, o);
    }

    /**
     * PPO-max from the SFT model with the cell's reward model (also the critic's initialisation) on the labelled prompts
     * (problems 0..perFamily-1 of each family) or on {@code extraPromptFactor} times as many (the labelled ones and further
     * problems of the same families, whose pairs were never labelled).
     */
    static PpoRunConfig ppoConfig(Settings s, Cell c, Path policyModel, Path rewardModel, long seed) {
        int prompts = s.perFamily() * (c.prompts() == Prompts.EXTRA ? s.extraPromptFactor() : 1);
        List<String> o = ppoSettings(policyModel, rewardModel, seed, s.ppoIterations(), s.ppoLearningRate());
        o.addAll(List.of("problemSeed=" + DATA_SEED, "problemsPerFamily=" + prompts));
        o.addAll(s.ppoOverrides());
        return ConfigLoader.load(PpoRunConfig.class, PpoRunConfig.defaults(), null, o);
    }

    /**
     * The PPO-max settings of this experiment's PPO runs (also the PPO arm of {@link NashExperiment}): reward = the reward
     * model, KL to {@code policyModel}, 4 critic pre-training batches, rollouts of 32 (at most 48 new tokens), minibatches of
     * 8, one learning rate for policy and critic, the tool-free held-in families; a mutable list for further settings.
     */
    static List<String> ppoSettings(Path policyModel, Path rewardModel, long seed, int iterations, double learningRate) {
        return new ArrayList<>(List.of("init=" + policyModel, "rewardModel=" + rewardModel,
                "seed=" + seed, "iterations=" + iterations, "ppo.reward=model", "families=" + FAMILIES,
                "ppo.criticPretrainSteps=4", "ppo.rolloutBatch=32",
                "ppo.minibatch=8", "ppo.maxNewTokens=48", "ppo.policyLearningRate=" + learningRate,
                "ppo.criticLearningRate=" + learningRate, "eval.families=" + FAMILIES, "eval.problemsPerFamily=2",
                "eval.maxNewTokens=64", "evalEvery=" + iterations, "checkpointEvery=1000", "keepCheckpoints=1"));
    }

    /** The Bradley-Terry reward model of one size, trained once on {@code data} from {@code init} (reused when finished). */
    static RewardModelInfo rewardModel(Settings s, RewardModel size, Path init, Path data, boolean progress) {
        Path dir = s.work().resolve("reward-models/" + size.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        LmTrainConfig cfg = rewardConfig(data, init, s.firstSeed(), s.rewardSteps());
        if (!finished(dir, cfg)) {
            new LmTrainer(cfg, dir).progressBar(progress).fit();
        }
        JsonNode summary = readJson(dir.resolve("summary.json"));
        JsonNode eval = summary.path("final_evaluation");
        RewardModelInfo info = new RewardModelInfo(size, dir, summary.path("parameters").asLong(-1),
                eval.path("heldout_accuracy").asDouble(Double.NaN), eval.path("heldout_gold_order_agreement").asDouble(Double.NaN),
                summary.path("seconds").asDouble(Double.NaN));
        System.out.printf(Locale.ROOT, "reward model %s: %d parameters, held-out accuracy %.3f, gold-order agreement %.3f%n", size,
                info.parameters(), info.heldOutAccuracy(), info.heldOutGoldAgreement());
        return info;
    }

    /**
     * A Bradley-Terry reward model's training ({@code lm reward}) on the pairs in {@code data} from the model {@code init}:
     * {@code steps} updates of 32 pairs, learning rate 5e-4 with warm-up and cosine decay, 10% of the pairs held out.
     */
    static LmTrainConfig rewardConfig(Path data, Path init, long seed, long steps) {
        return ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("reward", ModelSpec.small()), null,
                List.of("data=" + data, "init=" + ModelDirectories.resolve(init), "seed=" + seed, "steps=" + steps,
                        "batchSize=32", "optimizer.learningRate=5e-4", "optimizer.minLearningRate=5e-5",
                        "optimizer.warmupSteps=" + Math.max(1, steps / 10), "reward.heldOutFraction=0.1",
                        "evalEvery=" + steps, "checkpointEvery=" + steps, "keepCheckpoints=1"));
    }

    /**
     * Whether {@code dir} holds a finished run of exactly {@code config} (its summary, and the same resolved configuration),
     * to be reused. Anything else there (an unfinished run, or one of other settings) is deleted.
     */
    static boolean finished(Path dir, Object config) {
        try {
            if (Files.isRegularFile(dir.resolve("summary.json")) && Files.isRegularFile(dir.resolve("config.json"))
                    && Files.readString(dir.resolve("config.json")).strip().equals(Json.pretty(config).strip())) {
                return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("config.json") + ": " + e.getMessage(), e);
        }
        if (Files.exists(dir)) {
            System.out.println("discarding " + dir + " (unfinished, or made with other settings)");
            AtomicFiles.deleteTree(dir);
        }
        return false;
    }

    /** {@code perFamily} problems (seed {@link #EVAL_SEED}) of each family, skipping any whose prompt is a training prompt. */
    static List<Problem> evaluationProblems(List<String> families, int perFamily, Set<String> trainingPrompts) {
        List<Problem> out = new ArrayList<>();
        for (String f : families) {
            int found = 0;
            for (int i = 0; found < perFamily; i++) {
                if (i > 50 * perFamily + 1000) {
                    throw new IllegalStateException("family " + f + " has too few problems that are not training prompts");
                }
                Problem p = TaskSuite.problem(f, EVAL_SEED, i);
                if (!trainingPrompts.contains(p.prompt())) {
                    out.add(p);
                    found++;
                }
            }
        }
        return out;
    }

    /** A finished run's evaluation, computed once and kept in the run directory ({@code unpacking-eval.json}). */
    private static Measured measure(String cell, long seed, Path dir, List<Problem> problems, List<String> sftResponses) {
        Path cached = dir.resolve("unpacking-eval.json");
        String key = "v" + EVAL_VERSION + "-" + problems.size() + "-" + problems.getFirst().prompt().hashCode();
        double seconds = readJson(dir.resolve("summary.json")).path("seconds").asDouble(Double.NaN);
        if (Files.isRegularFile(cached)) {
            JsonNode n = readJson(cached);
            if (n.path("key").asText().equals(key)) {
                return new Measured(cell, seed, n.get("win_rate").asDouble(), n.get("win_lo").asDouble(), n.get("win_hi").asDouble(),
                        n.get("gold_reward").asDouble(), n.get("solve_rate").asDouble(), seconds);
            }
        }
        List<String> responses = respond(ModelDirectories.resolve(dir), problems);
        WinRateEvaluation.Result win = WinRateEvaluation.compare(problems, responses, sftResponses, "sft",
                new BradleyTerryOracle(JUDGE_TEMPERATURE), 2000, new Rng(seed).split("bootstrap"));
        Measured m = new Measured(cell, seed, win.winRate().estimate(), win.winRate().lo(), win.winRate().hi(), meanGold(problems, responses),
                solveRate(problems, responses), seconds);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", key);
        out.put("win_rate", m.winRate());
        out.put("win_lo", m.winLo());
        out.put("win_hi", m.winHi());
        out.put("gold_reward", m.goldReward());
        out.put("solve_rate", m.solveRate());
        out.put("families", win.families());
        out.put("responses", responses);
        AtomicFiles.writeString(cached, Json.pretty(out) + "\n");
        return m;
    }

    /** Greedy responses of the model in {@code modelDir}. */
    static List<String> respond(Path modelDir, List<Problem> problems) {
        Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
            return new ResponseGenerator(model, tokenizer).respond(manager, problems.stream().map(Problem::prompt).toList(),
                    ResponseGenerator.Settings.greedy(EVAL_MAX_NEW_TOKENS, 0, 64), new Rng(0));
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    static double meanGold(List<Problem> problems, List<String> responses) {
        double sum = 0;
        for (int i = 0; i < problems.size(); i++) {
            sum += problems.get(i).score(responses.get(i));
        }
        return sum / problems.size();
    }

    static double solveRate(List<Problem> problems, List<String> responses) {
        int solved = 0;
        for (int i = 0; i < problems.size(); i++) {
            solved += problems.get(i).score(responses.get(i)) >= 1.0 ? 1 : 0;
        }
        return (double) solved / problems.size();
    }

    static JsonNode readJson(Path file) {
        try {
            return Json.COMPACT.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
