package dev.fulcrum.experiment.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.core.stats.TwoSampleTests;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.rl.PpoMax;
import dev.fulcrum.lm.rl.PpoRunConfig;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ModelSpec;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.SolveRateEvaluation;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The PPO-max ablation (Zheng et al. 2023): from the shared SFT model ({@link BaseSft.Spec#standard()}) and a
 * Bradley-Terry reward model trained from it once (cached beside the base), PPO with every PPO-max trick on against
 * vanilla PPO (every trick off) and PPO-max minus one trick at a time, over seeds, at a small budget. Rewards come from
 * the reward model or, to take reward-model error out, from the task oracle. Writes {@code docs/results/ppo-max.md}
 * (commands, a table with 95% intervals over seeds and Welch tests against PPO-max, a plot, a verdict).
 */
public final class PpoMaxExperiment {
    /** Bumped when the reward model recipe changes. */
    static final int REWARD_MODEL_VERSION = 1;

    /** The variants, each a list of {@code ppo.*} overrides of PPO-max. */
    public static final Map<String, List<String>> VARIANTS = variants();

    private static Map<String, List<String>> variants() {
        Map<String, List<String>> v = new LinkedHashMap<>();
        v.put("ppo-max", List.of());
        v.put("vanilla", List.of("ppo.klPenalty=false", "ppo.rewardNormalisation=false", "ppo.criticFromRewardModel=false",
                "ppo.criticPretrainSteps=0", "ppo.advantageWhitening=false", "ppo.valueClipping=false", "ppo.gradClipping=false"));
        v.put("no-kl", List.of("ppo.klPenalty=false"));
        v.put("no-reward-norm", List.of("ppo.rewardNormalisation=false"));
        v.put("no-critic-pretrain", List.of("ppo.criticPretrainSteps=0"));
        v.put("no-critic-from-rm", List.of("ppo.criticFromRewardModel=false"));
        v.put("no-whitening", List.of("ppo.advantageWhitening=false"));
        v.put("no-value-clip", List.of("ppo.valueClipping=false"));
        v.put("no-grad-clip", List.of("ppo.gradClipping=false"));
        return v;
    }

    /**
     * @param variants   names from {@link #VARIANTS}
     * @param seeds      seeds per variant
     * @param iterations PPO iterations per run (after the critic's pre-training)
     * @param reward     {@code oracle} or {@code model}
     * @param overrides  further settings for every run (after the experiment's own)
     * @param base       the SFT model to start from: {@code standard} ({@link BaseSft.Spec#standard()}), {@code tiny}
     *                   ({@link #tinyBase()}) or the path of a finished SFT run
     */
    public record Settings(List<String> variants, int seeds, long firstSeed, int iterations, String reward, List<String> overrides,
                           Path work, Path report, String base) {
        public Settings {
            for (String v : variants) {
                if (!VARIANTS.containsKey(v)) {
                    throw new IllegalArgumentException("unknown variant '" + v + "' (variants: " + String.join(", ", VARIANTS.keySet()) + ")");
                }
            }
            if (seeds < 2) {
                throw new IllegalArgumentException("--seeds must be at least 2 for intervals, got " + seeds);
            }
            if (!reward.equals("oracle") && !reward.equals("model")) {
                throw new IllegalArgumentException("--reward must be oracle or model, got '" + reward + "'");
            }
            variants = List.copyOf(variants);
            overrides = List.copyOf(overrides);
        }
    }

    /** The experiment's fixed settings of every run: small budgets for two CPU cores. */
    static final List<String> RUN_SETTINGS = List.of("ppo.criticPretrainSteps=4", "ppo.rolloutBatch=32", "ppo.minibatch=8",
            "ppo.maxNewTokens=48", "ppo.policyLearningRate=3e-4", "ppo.criticLearningRate=3e-4", "eval.families=" + PpoRunConfig.DEFAULT_FAMILIES, "eval.problemsPerFamily=30",
            "eval.maxNewTokens=64", "checkpointEvery=1000", "keepCheckpoints=1");

    /** One finished run's numbers. */
    record RunNumbers(String variant, long seed, double evalGold, double evalSolve, double klFinal, double rolloutGoldFirst,
                      double rolloutGoldLast, double rewardStepStd, int collapseWarnings, double samplesPerSecond, double seconds,
                      TreeMap<Integer, double[]> curve) {
    }

    private PpoMaxExperiment() {
    }

    /**
     * A cheaper base than the standard one, cached the same way: the 'tiny' model (64 wide, 2 layers) trained for 600
     * updates of 16 on 300 problems of each rollout family (the non-tool held-in families).
     */
    public static BaseSft.Spec tinyBase() {
        return new BaseSft.Spec(PpoRunConfig.DEFAULT_FAMILIES, 300, 0, "tiny", 600, 0, List.of("batchSize=16",
                "optimizer.learningRate=3e-3", "optimizer.minLearningRate=3e-4", "optimizer.warmupSteps=20", "evalEvery=600",
                "eval.problemsPerFamily=10"));
    }

    public static Path run(Settings s, boolean progress) {
        Path base = switch (s.base()) {
            case "standard" -> BaseSft.obtain(BaseSft.Spec.standard(), progress);
            case "tiny" -> BaseSft.obtain(tinyBase(), progress);
            default -> s.base().isBlank() ? BaseSft.obtain(BaseSft.Spec.standard(), progress) : Path.of(s.base());
        };
        Path rewardModel = rewardModel(base, BaseSft.cacheRoot().resolveSibling("lm-reward"), progress);
        PpoRunConfig probe = config(s, base, rewardModel, "ppo-max", s.firstSeed());
        Map<String, Double> sft = evaluateSft(base, probe);
        List<RunNumbers> runs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (String variant : s.variants()) {
            for (int k = 0; k < s.seeds(); k++) {
                long seed = s.firstSeed() + k;
                Path dir = s.work().resolve(variant + "-seed" + seed);
                if (!Files.isRegularFile(dir.resolve("summary.json"))) {
                    dev.fulcrum.core.io.AtomicFiles.deleteTree(dir);
                    new PpoMax(config(s, base, rewardModel, variant, seed), dir).progressBar(progress).fit();
                }
                RunNumbers r = numbers(variant, seed, dir);
                runs.add(r);
                System.out.printf("%s seed %d: held-in gold reward %.3f (SFT %.3f), solve rate %.3f, KL %.2f, %d collapse warnings, "
                        + "%.0f s%n", variant, seed, r.evalGold(), sft.get("gold_reward.in-distribution"), r.evalSolve(), r.klFinal(),
                        r.collapseWarnings(), r.seconds());
            }
        }
        double minutes = (System.nanoTime() - t0) / 60e9;
        writeReport(s, base, rewardModel, sft, runs, minutes);
        return s.report();
    }

    static PpoRunConfig config(Settings s, Path base, Path rewardModel, String variant, long seed) {
        List<String> o = new ArrayList<>(List.of("init=" + ModelDirectories.resolve(base), "rewardModel=" + rewardModel.resolve(
                LmTrainer.MODEL_DIR), "seed=" + seed, "iterations=" + s.iterations(), "ppo.reward=" + s.reward()));
        o.addAll(RUN_SETTINGS);
        o.addAll(VARIANTS.get(variant));
        o.addAll(s.overrides());
        return ConfigLoader.load(PpoRunConfig.class, PpoRunConfig.defaults(), null, o);
    }

    /** The SFT policy's greedy numbers on the runs' evaluation problems. */
    static Map<String, Double> evaluateSft(Path base, PpoRunConfig cfg) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> poolPrompts = new HashSet<>();
        for (TaskFamily f : TaskSuite.select(cfg.families())) {
            names.add(f.name());
            TaskSuite.problems(f, cfg.problemSeed(), cfg.problemsPerFamily()).forEach(p -> poolPrompts.add(p.prompt()));
        }
        SolveRateEvaluation.Problems problems = SolveRateEvaluation.problems(cfg.eval(), names, poolPrompts);
        Path dir = ModelDirectories.resolve(base);
        Tokenizer tokenizer = TokenizerFiles.ofModel(dir);
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(dir, m, DataType.FLOAT32);
            return SolveRateEvaluation.evaluate(new ResponseGenerator(model, tokenizer), m, problems, cfg.eval(), 0).metrics();
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    /**
     * The reward model of the experiment, trained once from {@code base} and cached under {@code cache}: Bradley-Terry on
     * oracle-labelled pairs (t = 0.1) of 300 problems per held-in family with problem seed 1, 150 updates of 32 pairs
     * (the recipe of docs/results/lm-foundation.md at half its updates), 10% of prompts held out.
     */
    static Path rewardModel(Path base, Path cache, boolean progress) {
        String key = base.getFileName() + "-v" + REWARD_MODEL_VERSION;
        Path done = cache.resolve(key);
        if (Files.isRegularFile(done.resolve("summary.json")) && Files.isDirectory(done.resolve(LmTrainer.MODEL_DIR))) {
            return done;
        }
        try {
            Files.createDirectories(cache);
            Path work = Files.createTempDirectory(cache, key + ".partial-");
            try {
                List<String> names = TaskSuite.select("in-distribution").stream().map(TaskFamily::name).toList();
                Path data = work.resolve("preferences.jsonl");
                PreferenceJsonl.write(data, OracleDatasets.preferences(OracleDatasets.sources(names, 1, 300), new BradleyTerryOracle(0.1),
                        new Rng(1).split("labels"), false), PreferenceFormat.STANDARD);
                LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("reward", ModelSpec.small()), null,
                        List.of("data=" + data, "init=" + ModelDirectories.resolve(base), "steps=150", "optimizer.learningRate=5e-4",
                                "optimizer.minLearningRate=5e-5", "optimizer.warmupSteps=15", "reward.heldOutFraction=0.1",
                                "evalEvery=150", "checkpointEvery=150", "keepCheckpoints=1"));
                new LmTrainer(cfg, work.resolve("run")).progressBar(progress).fit();
                try {
                    Files.move(work.resolve("run"), done, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                    // published by another process first: the same recipe, use it
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IllegalStateException("cache folder " + cache + " does not support atomic moves", e);
                }
            } finally {
                dev.fulcrum.core.io.AtomicFiles.deleteTree(work);
            }
            return done;
        } catch (IOException e) {
            throw new UncheckedIOException("could not build the reward model in " + cache + ": " + e.getMessage(), e);
        }
    }

    static RunNumbers numbers(String variant, long seed, Path dir) {
        JsonNode summary;
        try {
            summary = Json.COMPACT.readTree(dir.resolve("summary.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<JsonNode> rows = MetricsLog.read(dir.resolve("metrics.jsonl"));
        List<JsonNode> ppo = rows.stream().filter(n -> n.path("phase").asText().equals("train")
                && n.path("stage").asText().equals("ppo")).toList();
        JsonNode eval = summary.get("final_evaluation");
        TreeMap<Integer, double[]> curve = new TreeMap<>();
        double[] rewards = new double[ppo.size()];
        for (int i = 0; i < ppo.size(); i++) {
            JsonNode n = ppo.get(i);
            curve.put(i + 1, new double[] {n.get("gold_reward").asDouble(), n.get("kl").asDouble()});
            rewards[i] = n.get("gold_reward").asDouble();
        }
        int w = Math.min(5, ppo.size());
        return new RunNumbers(variant, seed, eval.get("gold_reward.in-distribution").asDouble(),
                eval.get("solve_rate.in-distribution").asDouble(), meanOf(ppo.subList(ppo.size() - w, ppo.size()), "kl"),
                meanOf(ppo.subList(0, w), "gold_reward"), meanOf(ppo.subList(ppo.size() - w, ppo.size()), "gold_reward"),
                Stats.std(rewards), summary.get("collapse_warnings").asInt(), summary.get("generation_samples_per_second").asDouble(),
                summary.get("seconds").asDouble(), curve);
    }

    private static double meanOf(List<JsonNode> rows, String key) {
        return rows.stream().mapToDouble(n -> n.get(key).asDouble()).average().orElse(Double.NaN);
    }

    private static double[] column(List<RunNumbers> runs, java.util.function.ToDoubleFunction<RunNumbers> f) {
        return runs.stream().mapToDouble(f).toArray();
    }

    private static String ci(double[] x) {
        return "%.3f [%.3f, %.3f]".formatted(Stats.mean(x), Stats.mean(x) - Stats.ci95HalfWidth(x), Stats.mean(x) + Stats.ci95HalfWidth(x));
    }

    static void writeReport(Settings s, Path base, Path rewardModel, Map<String, Double> sft, List<RunNumbers> runs, double minutes) {
        Map<String, List<RunNumbers>> by = new LinkedHashMap<>();
        runs.forEach(r -> by.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r));
        double sftGold = sft.get("gold_reward.in-distribution"), sftSolve = sft.get("solve_rate.in-distribution");
        JsonNode rm;
        try {
            rm = Json.COMPACT.readTree(rewardModel.resolve("summary.json").toFile()).path("final_evaluation");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder md = new StringBuilder("# PPO-max vs vanilla PPO and ablations (issue 7, part 1)\n\n");
        md.append("Claim checked: PPO-max's tricks (Zheng et al. 2023, \"Secrets of RLHF in Large Language Models Part I: PPO\") make ")
                .append("PPO on a language model improve the reward stably, and vanilla PPO is less stable. Here at a toy scale: the ")
                .append("SFT model `").append(base).append("` (").append(describe(base)).append(", byte tokens) on the task suite's ")
                .append("non-tool held-in families (")
                .append(PpoRunConfig.DEFAULT_FAMILIES).append("), ").append(s.seeds()).append(" seeds per variant, ")
                .append(s.iterations()).append(" PPO iterations of 32 rollouts each, rewards from the **")
                .append(s.reward().equals("oracle") ? "task oracle (gold reward)" : "reward model").append("**.\n\n");
        md.append("## Commands\n\n```bash\nbin/fulcrum experiment ppo-max --base ").append(s.base())
                .append(" --seeds ").append(s.seeds()).append(" --iterations ")
                .append(s.iterations()).append(" --reward ").append(s.reward()).append(" --variants ").append(String.join(",", s.variants()));
        s.overrides().forEach(o -> md.append(" --set ").append(o));
        md.append("\n# one run by hand:\nbin/fulcrum lm ppo --init ").append(base).append(" --reward-model ").append(rewardModel)
                .append(s.reward().equals("oracle") ? " --oracle" : "").append(" --iterations ").append(s.iterations());
        RUN_SETTINGS.forEach(o -> md.append(" --set ").append(o));
        md.append(" --out runs/ppo\n```\n\n");
        md.append("Every run: PPO-max settings (`PpoSettings.max()`: KL eta 0.05, reward normalisation + clip 5, critic from the ")
                .append("reward model and pre-trained for 4 rollout batches, GAE gamma 1 lambda 0.95, minibatch whitening, clip 0.2, ")
                .append("value clip 0.2, grad clip 1, Adam 3e-4 for both networks (the paper's 5e-7 is for 7B models), 1 epoch of minibatches of 8, sampling at ")
                .append("temperature 1, at most 48 new tokens) with the variant's switches. Evaluation: greedy responses to ")
                .append("30 fresh problems per family (problem seed 1000003; prompts of the rollout pool skipped), gold reward in ")
                .append("[0, 1] and solve rate (gold reward 1). Reward model: ").append(rewardModel).append(" (held-out pairwise ")
                .append("accuracy %.3f vs the labelling oracle's %.3f).\n\n".formatted(rm.path("heldout_accuracy").asDouble(Double.NaN),
                        rm.path("heldout_oracle_label_accuracy").asDouble(Double.NaN)));
        md.append("Total wall clock of the runs: %.1f minutes on two shared cores.\n\n".formatted(minutes));

        md.append("## Results\n\nSFT policy (no PPO), same problems: mean gold reward **%.3f**, solve rate %.3f.\n\n".formatted(sftGold, sftSolve));
        md.append("Means over seeds with 95% t-intervals; p: Welch test of the held-in gold reward against PPO-max. ")
                .append("Rollout reward: the oracle's gold reward of the sampled training responses, mean of the first and last 5 ")
                .append("iterations. Reward std: standard deviation of the per-iteration rollout reward within a run (mean over ")
                .append("seeds). KL: mean over responses of sum_t log pi/pi_ref, last 5 iterations.\n\n");
        md.append("| variant | held-in gold reward (greedy) | vs SFT | solve rate | rollout reward first → last | KL | reward std | collapse warnings | p vs PPO-max |\n");
        md.append("|---|---|---:|---|---|---:|---:|---:|---:|\n");
        double[] maxGold = by.containsKey("ppo-max") ? column(by.get("ppo-max"), RunNumbers::evalGold) : null;
        for (var e : by.entrySet()) {
            List<RunNumbers> rs = e.getValue();
            double[] gold = column(rs, RunNumbers::evalGold);
            String p = maxGold == null || e.getKey().equals("ppo-max") ? "" : "%.3f".formatted(TwoSampleTests.welch(gold, maxGold).pValue());
            md.append("| %s | %s | %+.3f | %s | %.3f → %.3f | %.2f | %.3f | %d | %s |\n".formatted(e.getKey(), ci(gold),
                    Stats.mean(gold) - sftGold, ci(column(rs, RunNumbers::evalSolve)), Stats.mean(column(rs, RunNumbers::rolloutGoldFirst)),
                    Stats.mean(column(rs, RunNumbers::rolloutGoldLast)), Stats.mean(column(rs, RunNumbers::klFinal)),
                    Stats.mean(column(rs, RunNumbers::rewardStepStd)), rs.stream().mapToInt(RunNumbers::collapseWarnings).sum(), p));
        }
        md.append("\nGeneration (batched sampling with the KV cache, one thread): %.1f samples/s (mean over runs).\n\n"
                .formatted(Stats.mean(column(runs, RunNumbers::samplesPerSecond))));
        md.append("Per run:\n\n| variant | seed | gold reward | solve rate | KL | collapse warnings | seconds |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunNumbers r : runs) {
            md.append("| %s | %d | %.3f | %.3f | %.2f | %d | %.0f |\n".formatted(r.variant(), r.seed(), r.evalGold(), r.evalSolve(), r.klFinal(),
                    r.collapseWarnings(), r.seconds()));
        }
        String png = s.report().getFileName().toString().replace(".md", "-curves.png");
        plot(by, s.report().resolveSibling(png));
        md.append("\n![rollout reward and KL per iteration](").append(png).append(")\n\n");
        md.append("## Verdict\n\n").append(verdict(by, sftGold)).append("\n");
        AtomicFiles.writeString(s.report(), md.toString());
    }

    /** The base's spec (base-spec.json) when it is a cached base, else its path. */
    private static String describe(Path base) {
        Path spec = base.resolve("base-spec.json");
        try {
            return Files.isRegularFile(spec) ? "spec " + Files.readString(spec).strip() : "a finished SFT run";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String verdict(Map<String, List<RunNumbers>> by, double sftGold) {
        StringBuilder v = new StringBuilder();
        List<RunNumbers> max = by.get("ppo-max");
        if (max == null) {
            return "PPO-max was not among the variants; no verdict.";
        }
        double[] gold = column(max, RunNumbers::evalGold);
        double lo = Stats.mean(gold) - Stats.ci95HalfWidth(gold), hi = Stats.mean(gold) + Stats.ci95HalfWidth(gold);
        v.append("* PPO-max vs SFT: held-in gold reward %.3f [%.3f, %.3f] against SFT's %.3f: %s.\n".formatted(Stats.mean(gold), lo, hi,
                sftGold, lo > sftGold ? "improved (interval above SFT)" : hi < sftGold ? "worse than SFT (interval below)"
                        : "no difference resolved at this budget (interval covers SFT)"));
        for (var e : by.entrySet()) {
            if (e.getKey().equals("ppo-max")) {
                continue;
            }
            double[] g = column(e.getValue(), RunNumbers::evalGold);
            double p = TwoSampleTests.welch(g, gold).pValue();
            int collapses = e.getValue().stream().mapToInt(RunNumbers::collapseWarnings).sum();
            v.append("* %s: gold reward %.3f (%+.3f vs PPO-max, Welch p = %.3f: %s), KL %.2f vs %.2f, %d collapse warnings vs %d.\n"
                    .formatted(e.getKey(), Stats.mean(g), Stats.mean(g) - Stats.mean(gold), p, p < 0.05 ? "this trick matters here"
                                    : "not resolved", Stats.mean(column(e.getValue(), RunNumbers::klFinal)), Stats.mean(column(max, RunNumbers::klFinal)),
                            collapses, max.stream().mapToInt(RunNumbers::collapseWarnings).sum()));
        }
        return v.toString();
    }

    private static void plot(Map<String, List<RunNumbers>> by, Path png) {
        XYChart reward = new XYChartBuilder().width(560).height(380).title("rollout gold reward (mean over seeds)")
                .xAxisTitle("PPO iteration").yAxisTitle("gold reward").build();
        XYChart kl = new XYChartBuilder().width(560).height(380).title("KL(pi || SFT) per response (mean over seeds)")
                .xAxisTitle("PPO iteration").yAxisTitle("nats").build();
        for (var e : by.entrySet()) {
            TreeMap<Integer, double[]> sum = new TreeMap<>();
            for (RunNumbers r : e.getValue()) {
                r.curve().forEach((i, v) -> {
                    double[] acc = sum.computeIfAbsent(i, k -> new double[3]);
                    acc[0] += v[0];
                    acc[1] += v[1];
                    acc[2]++;
                });
            }
            double[] x = sum.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = sum.values().stream().mapToDouble(a -> a[0] / a[2]).toArray();
            double[] k = sum.values().stream().mapToDouble(a -> a[1] / a[2]).toArray();
            reward.addSeries(e.getKey(), x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            kl.addSeries(e.getKey(), x, k).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        Charts.saveGrid(List.of(reward, kl), png);
    }

}
