package dev.fulcrum.experiment.lm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.iterative.IterateConfig;
import dev.fulcrum.lm.iterative.IterativePreferenceLoop;
import dev.fulcrum.lm.iterative.PolicySampler;
import dev.fulcrum.lm.iterative.PolicyWinRate;
import dev.fulcrum.lm.rl.PpoMax;
import dev.fulcrum.lm.rl.PpoRunConfig;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.WinRateEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The PPO arm of {@link NashExperiment} (method {@code ppo}): RLHF with a Bradley-Terry reward model trained on the oracle's
 * labels, the baseline the Nash methods are claimed to beat under an intransitive oracle.
 * <ol>
 *   <li>Reward data, once per oracle: {@code K} samples of the SFT model per held-in training prompt (the prompts the
 *       iterative methods sample over their {@code T} iterations, seeds {@code problemSeed + 1..T}, of the tool-free
 *       families), every pair of distinct samples labelled by the run's oracle with its more probable verdict
 *       ({@code P(y_i > y_j) > 1/2}; exact ties dropped).</li>
 *   <li>Reward model, once per oracle: {@code lm reward} (Bradley-Terry, {@code -log sigma(r(x, y_w) - r(x, y_l))}) from the
 *       SFT model ({@link UnpackingExperiment#rewardConfig}).</li>
 *   <li>PPO-max per seed from the SFT model (also the KL anchor) with reward = that model
 *       ({@link UnpackingExperiment#ppoSettings}), on {@code T x promptsPerFamily} held-in prompts per tool-free family;
 *       by default as many rollouts as an iterative run samples ({@code T x prompts x K}).</li>
 *   <li>Evaluation exactly as {@link IterativePreferenceLoop}'s: the same evaluation prompts, sampling settings and random
 *       streams of the SFT model's opponent samples and of iteration 0, so the final policy's {@code P(pi > SFT)} is
 *       comparable with the iterative methods' iterates; it is reported at {@code t = T}.</li>
 * </ol>
 * PPO's rollouts leave out the tool families (their responses hold executor output that is not the policy's tokens), so
 * the policy is trained on the tool-free held-in families only and evaluated on all of the run's families, as the others.
 */
public final class NashPpoArm {

    /**
     * @param ppoIterations   PPO iterations; 0: as many rollouts as an iterative run samples, {@code ceil(T x prompts x K / rolloutBatch)}
     * @param learningRate    PPO's policy and critic learning rate
     * @param rewardSteps     reward-model updates of 32 pairs
     * @param ppoOverrides    further {@link PpoRunConfig} settings of every PPO run, after the arm's own
     */
    public record Budget(int ppoIterations, double learningRate, long rewardSteps, List<String> ppoOverrides) {
        public Budget {
            ppoOverrides = List.copyOf(ppoOverrides);
            if (ppoIterations < 0 || !(learningRate > 0) || rewardSteps <= 0) {
                throw new IllegalArgumentException("the PPO arm needs PPO iterations >= 0 (0: matched budget), a positive learning rate "
                        + "and positive reward-model steps, got " + ppoIterations + ", " + learningRate + ", " + rewardSteps);
            }
        }

        /** The settings of unpacking.md's PPO (learning rate 1e-4, 60 reward-model updates), the budget matched. */
        public static Budget defaults() {
            return new Budget(0, 1e-4, 60, List.of());
        }
    }

    /** The reward model of one oracle: its run directory, pair count and held-out quality. */
    public record RewardModel(Path run, int pairs, double heldOutAccuracy, double heldOutGoldAgreement) {
    }

    private NashPpoArm() {
    }

    /** The held-in families PPO trains on: the run's families without the tool families. */
    static List<TaskFamily> ppoFamilies(IterateConfig cfg) {
        Set<String> toolFree = Set.of(PpoRunConfig.DEFAULT_FAMILIES.split(","));
        List<TaskFamily> out = TaskSuite.select(cfg.families()).stream().filter(f -> toolFree.contains(f.name())).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("families '" + cfg.families() + "' hold no family PPO can train on (tool-free: "
                    + PpoRunConfig.DEFAULT_FAMILIES + ")");
        }
        return out;
    }

    /** The reward-model training prompts: problems of seeds {@code problemSeed + 1..T} of the PPO families. */
    static List<Problem> trainingPrompts(IterateConfig cfg) {
        List<Problem> out = new ArrayList<>();
        for (int t = 1; t <= cfg.iterations(); t++) {
            for (TaskFamily f : ppoFamilies(cfg)) {
                out.addAll(TaskSuite.problems(f, cfg.problemSeed() + t, cfg.promptsPerFamily()));
            }
        }
        return out;
    }

    /**
     * Every pair of distinct non-blank samples of a prompt, chosen = the response the oracle prefers with probability above
     * 1/2; rows carry the oracle's {@code p_chosen} and both gold rewards.
     */
    static List<PreferenceExample> labelledPairs(List<Problem> problems, List<List<String>> samples, PreferenceOracle oracle) {
        List<PreferenceExample> out = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            List<String> ys = samples.get(i);
            for (int a = 0; a < ys.size(); a++) {
                for (int b = a + 1; b < ys.size(); b++) {
                    String ya = ys.get(a), yb = ys.get(b);
                    if (ya.isBlank() || yb.isBlank() || ya.equals(yb)) {
                        continue;
                    }
                    double pa = oracle.probability(p, ya, yb);
                    if (Math.abs(pa - 0.5) < 1e-9) {
                        continue;
                    }
                    String chosen = pa > 0.5 ? ya : yb, rejected = pa > 0.5 ? yb : ya;
                    Map<String, JsonNode> extra = new LinkedHashMap<>();
                    extra.put("family", Json.MAPPER.valueToTree(p.family()));
                    extra.put("p_chosen", Json.MAPPER.valueToTree(Math.max(pa, 1 - pa)));
                    extra.put("chosen_reward", Json.MAPPER.valueToTree(p.score(chosen)));
                    extra.put("rejected_reward", Json.MAPPER.valueToTree(p.score(rejected)));
                    out.add(PreferenceExample.text(p.prompt(), chosen, rejected).withExtra(extra));
                }
            }
        }
        return out;
    }

    /**
     * The oracle's reward model in {@code dir} (reused when its data and training are those of these settings): data from
     * the SFT model's samples with the random stream of {@code dataSeed}.
     */
    static RewardModel rewardModel(IterateConfig cfg, Path dir, long dataSeed, Budget budget, boolean progress, Consumer<String> log) {
        Path base = ModelDirectories.resolve(Path.of(cfg.init()));
        Path data = dir.resolve("pairs.jsonl"), keyFile = dir.resolve("pairs-key.txt");
        String key = String.join(" ", "oracle=" + cfg.oracle(), "t=" + cfg.oracleTemperature(), "lambda=" + cfg.cycleWeight(),
                "init=" + base, "families=" + cfg.families(), "T=" + cfg.iterations(), "prompts=" + cfg.promptsPerFamily(),
                "problemSeed=" + cfg.problemSeed(), "K=" + cfg.samplesPerPrompt(), "temperature=" + cfg.temperature(),
                "maxNewTokens=" + cfg.maxNewTokens(), "maxToolCalls=" + cfg.maxToolCalls(), "seed=" + dataSeed);
        List<PreferenceExample> pairs;
        if (Files.isRegularFile(keyFile) && Files.isRegularFile(data) && read(keyFile).strip().equals(key)) {
            pairs = PreferenceJsonl.read(data);
        } else {
            List<Problem> prompts = trainingPrompts(cfg);
            PreferenceOracle oracle = WinRateEvaluation.oracle(cfg.oracle(), cfg.oracleTemperature(), cfg.cycleWeight());
            PolicySampler.Samples samples;
            try (PolicySampler sft = new PolicySampler(base)) {
                samples = sft.sample(prompts, cfg.samplesPerPrompt(), sampling(cfg), new Rng(dataSeed).split("ppo-reward-data"));
            }
            pairs = labelledPairs(prompts, samples.responses(), oracle);
            if (pairs.isEmpty()) {
                throw new IllegalStateException("no labelled pair for the reward model: every prompt's " + cfg.samplesPerPrompt()
                        + " samples were blank, equal or tied under the oracle");
            }
            PreferenceJsonl.write(data, pairs, PreferenceFormat.STANDARD);
            AtomicFiles.writeString(keyFile, key + "\n");
            log.accept(String.format(Locale.ROOT, "%s ppo: %d oracle-labelled pairs from %d SFT samples (%.1f samples/s)", cfg.oracle(),
                    pairs.size(), samples.samples(), samples.samplesPerSecond()));
        }
        Path run = dir.resolve("train");
        LmTrainConfig rm = UnpackingExperiment.rewardConfig(data, base, dataSeed, budget.rewardSteps());
        if (!UnpackingExperiment.finished(run, rm)) {
            new LmTrainer(rm, run).progressBar(progress).fit();
        }
        JsonNode eval = UnpackingExperiment.readJson(run.resolve("summary.json")).path("final_evaluation");
        RewardModel out = new RewardModel(run, pairs.size(), eval.path("heldout_accuracy").asDouble(Double.NaN),
                eval.path("heldout_gold_order_agreement").asDouble(Double.NaN));
        log.accept(String.format(Locale.ROOT, "%s ppo: reward model on %d pairs, held-out accuracy %.3f, gold-order agreement %.3f",
                cfg.oracle(), out.pairs(), out.heldOutAccuracy(), out.heldOutGoldAgreement()));
        return out;
    }

    /** The PPO run's settings: {@link UnpackingExperiment#ppoSettings}, the run's response budget and prompts, the budget. */
    static PpoRunConfig ppoConfig(IterateConfig cfg, Path rewardModel, Budget budget) {
        Path base = ModelDirectories.resolve(Path.of(cfg.init()));
        List<String> families = ppoFamilies(cfg).stream().map(TaskFamily::name).toList();
        List<String> o = UnpackingExperiment.ppoSettings(base, ModelDirectories.resolve(rewardModel), cfg.seed(), 1, budget.learningRate());
        o.addAll(List.of("families=" + String.join(",", families), "eval.families=" + String.join(",", families),
                "problemSeed=" + (cfg.problemSeed() + 1), "problemsPerFamily=" + cfg.iterations() * cfg.promptsPerFamily(),
                "ppo.maxNewTokens=" + cfg.maxNewTokens()));
        o.addAll(budget.ppoOverrides());
        PpoRunConfig probe = ConfigLoader.load(PpoRunConfig.class, PpoRunConfig.defaults(), null, o);
        int iterations = budget.ppoIterations() > 0 ? budget.ppoIterations() : (int) Math.ceil((double) cfg.iterations()
                * TaskSuite.select(cfg.families()).size() * cfg.promptsPerFamily() * cfg.samplesPerPrompt() / probe.ppo().rolloutBatch());
        o.addAll(List.of("iterations=" + iterations, "evalEvery=" + iterations));
        return ConfigLoader.load(PpoRunConfig.class, PpoRunConfig.defaults(), null, o);
    }

    /**
     * One seed of the arm in {@code out} (PPO in {@code out/ppo}, the evaluation in {@code out/evaluation.json}, both reused
     * when finished): rows at iteration 0 (the SFT model against itself, as the loop's) and {@code T} (the final PPO policy).
     */
    static List<IterativePreferenceLoop.Row> run(IterateConfig cfg, Path out, RewardModel rm, Budget budget, boolean progress) {
        PpoRunConfig ppo = ppoConfig(cfg, rm.run(), budget);
        Path ppoDir = out.resolve("ppo"), evalFile = out.resolve("evaluation.json");
        if (!UnpackingExperiment.finished(ppoDir, ppo)) {
            AtomicFiles.deleteTree(evalFile);
            new PpoMax(ppo, ppoDir).progressBar(progress).console(System.out).fit();
        }
        if (Files.isRegularFile(evalFile)) {
            try {
                return List.of(Json.MAPPER.readValue(evalFile.toFile(), IterativePreferenceLoop.Row[].class));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + evalFile + ": " + e.getMessage(), e);
            }
        }
        List<IterativePreferenceLoop.Row> rows = evaluate(cfg, ppoDir, rm, ppo);
        AtomicFiles.writeString(evalFile, Json.pretty(rows));
        return rows;
    }

    /** The loop's evaluation ({@link IterativePreferenceLoop}: same prompts, settings and random streams) of the SFT model and the PPO policy. */
    private static List<IterativePreferenceLoop.Row> evaluate(IterateConfig cfg, Path ppoDir, RewardModel rm, PpoRunConfig ppo) {
        Path base = ModelDirectories.resolve(Path.of(cfg.init()));
        PreferenceOracle oracle = WinRateEvaluation.oracle(cfg.oracle(), cfg.oracleTemperature(), cfg.cycleWeight());
        Rng master = new Rng(cfg.seed());
        List<Problem> evalProblems = new ArrayList<>();
        for (TaskFamily f : TaskSuite.select(cfg.families())) {
            evalProblems.addAll(TaskSuite.problems(f, cfg.evalSeed(), cfg.evalPromptsPerFamily()));
        }
        List<List<String>> opponent;
        IterativePreferenceLoop.Row start;
        try (PolicySampler sft = new PolicySampler(base)) {
            opponent = sft.sample(evalProblems, cfg.evalSamples(), sampling(cfg), master.split("eval-opponent")).responses();
            PolicySampler.Samples self = sft.sample(evalProblems, cfg.evalSamples(), sampling(cfg), master.split("eval-0"));
            start = row(0, 0, 0, 0, 0, 0, evalProblems, self, opponent, oracle, master.split("bootstrap-0"), base);
        }
        JsonNode summary = UnpackingExperiment.readJson(ppoDir.resolve("summary.json"));
        Path policy = ModelDirectories.resolve(ppoDir);
        Rng rng = master.split("ppo");
        IterativePreferenceLoop.Row last;
        try (PolicySampler p = new PolicySampler(policy)) {
            PolicySampler.Samples eval = p.sample(evalProblems, cfg.evalSamples(), sampling(cfg), rng.split("eval"));
            last = row(cfg.iterations(), ppo.problemsPerFamily() * ppoFamilies(cfg).size(), ppo.iterations() * ppo.ppo().rolloutBatch(),
                    rm.pairs(), summary.path("generation_samples_per_second").asDouble(0), summary.path("seconds").asDouble(0),
                    evalProblems, eval, opponent, oracle, rng.split("bootstrap"), policy);
        }
        return List.of(start, last);
    }

    private static IterativePreferenceLoop.Row row(int t, int prompts, int samples, int pairs, double samplesPerSecond, double trainSeconds,
                                                   List<Problem> evalProblems, PolicySampler.Samples eval, List<List<String>> opponent,
                                                   PreferenceOracle oracle, Rng rng, Path model) {
        PolicyWinRate.Result win = PolicyWinRate.evaluate(evalProblems, eval.responses(), opponent, "start", oracle, 1000, rng);
        return new IterativePreferenceLoop.Row(t, prompts, t == 0 ? eval.samples() : samples, pairs, 0, 0,
                t == 0 ? eval.samplesPerSecond() : samplesPerSecond, t == 0 ? eval.tokensPerSecond() : 0, trainSeconds,
                win.winRate().winRate().estimate(), win.winRate().winRate().lo(), win.winRate().winRate().hi(), win.goldReward(),
                model.toString());
    }

    /** The loop's sampling settings. */
    private static ResponseGenerator.Settings sampling(IterateConfig cfg) {
        return new ResponseGenerator.Settings(cfg.maxNewTokens(), cfg.maxToolCalls(), cfg.temperature(), 0, 1, cfg.generationBatch());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
