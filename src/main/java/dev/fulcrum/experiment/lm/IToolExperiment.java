package dev.fulcrum.experiment.lm;

import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.itool.ITool;
import dev.fulcrum.lm.itool.IToolConfig;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The iTool claim (Zeng et al. 2025): on complex tool use, more synthetic SFT data plateaus, while iTool's rounds of
 * deficiency selection, MCTS step pairs and SimPO keep improving. Per seed, from the shared SFT base model:
 * <ul>
 *   <li>SFT on 1x, 2x and 3x synthetic data (N, 2N, 3N problems of each of tool-calc, tool-price and tool-shop, nested;
 *   S, 2S, 3S updates, so the same number of epochs; easy to hard, as iTool's warm-up);</li>
 *   <li>iTool iterations 1..T from the 1x model (no further warm-up: the 1x SFT is the warm-up).</li>
 * </ul>
 * Every model is measured by its greedy success rate (gold reward 1: the right final answer with every step done
 * faithfully) on the same fresh tool-shop problems, none of whose prompts occurs in the 3x data. Intervals: percentile
 * bootstrap (95%) over the (seed, problem) outcomes.
 */
public final class IToolExperiment {
    static final String FAMILIES = "tool-calc,tool-price,tool-shop";

    /**
     * @param base              the SFT base model every run starts from
     * @param seeds             seeds (data, sampling, training), from {@code firstSeed}
     * @param problemsPerFamily N: problems per family of the 1x data
     * @param sftStepsPer1x     S: SFT updates per 1x of data
     * @param iterations        T: iTool rounds
     * @param evalProblems      tool-shop problems evaluated (before removing those in the 3x data)
     * @param overrides         further {@link IToolConfig} settings, key=value
     * @param baseCache         where the base model is cached; null: {@link BaseSft#cacheRoot()}
     */
    public record Settings(BaseSft.Spec base, int seeds, long firstSeed, int problemsPerFamily, long sftStepsPer1x, int iterations,
                           int evalProblems, List<String> overrides, Path work, Path report, Path baseCache) {
    }

    /** One method's outcome over all seeds. */
    public record MethodScore(String method, int problems, int solved, double meanReward, double[] ci, List<Double> perSeed) {
        public double successRate() {
            return problems == 0 ? 0 : (double) solved / problems;
        }
    }

    private IToolExperiment() {
    }

    /**
     * A small base for a quick measurement: 'tiny', 800 updates of 16 on 300 problems each of tool-calc and tool-price (the
     * call syntax and the two tools, not the multi-tool family); about 2 CPU-minutes.
     */
    public static BaseSft.Spec toolsBase() {
        return new BaseSft.Spec("tool-calc,tool-price", 300, 0, "tiny", 800, 0, List.of("batchSize=16", "optimizer.learningRate=3e-3",
                "optimizer.minLearningRate=3e-4", "optimizer.warmupSteps=20", "evalEvery=800", "eval.problemsPerFamily=10"));
    }

    public static List<MethodScore> run(Settings s, boolean progress, Consumer<String> log) {
        Path base = BaseSft.obtain(s.base(), s.baseCache() == null ? BaseSft.cacheRoot() : s.baseCache(), progress);
        List<String> methods = new ArrayList<>(List.of("SFT 1x", "SFT 2x", "SFT 3x"));
        for (int t = 1; t <= s.iterations(); t++) {
            methods.add("iTool iter " + t);
        }
        Map<String, List<ITool.StageScore>> byMethod = new LinkedHashMap<>();
        methods.forEach(m -> byMethod.put(m, new ArrayList<>()));
        IToolConfig firstConfig = null;
        long t0 = System.nanoTime();
        for (int k = 0; k < s.seeds(); k++) {
            long seed = s.firstSeed() + k;
            Path dir = s.work().resolve("seed-" + seed);
            IToolConfig cfg = itoolConfig(s, seed, dir.resolve("sft-1x").toString());
            firstConfig = firstConfig == null ? cfg : firstConfig;
            List<String> names = TaskSuite.select(FAMILIES).stream().map(TaskFamily::name).toList();
            List<OracleDatasets.Source> all = OracleDatasets.sources(names, seed, 3 * s.problemsPerFamily());
            Set<String> allPrompts = new HashSet<>();
            all.forEach(x -> allPrompts.add(x.problem().prompt()));
            Map<Integer, Path> sft = new LinkedHashMap<>();
            for (int x = 1; x <= 3; x++) {
                int n = x * s.problemsPerFamily();
                List<OracleDatasets.Source> data = all.stream().filter(src -> src.index() < n).toList();
                Path file = dir.resolve("data-" + x + "x.jsonl");
                if (!Files.isRegularFile(file)) {
                    SftJsonl.write(file, OracleDatasets.sft(data, false), SftFormat.PROMPT_COMPLETION);
                }
                log.accept("seed " + seed + ": SFT " + x + "x (" + data.size() + " examples, " + x * s.sftStepsPer1x() + " updates)");
                sft.put(x, trainSft(dir.resolve("sft-" + x + "x"), file, base, x * s.sftStepsPer1x(), cfg, progress));
            }
            log.accept("seed " + seed + ": iTool from the 1x model, " + s.iterations() + " iterations");
            List<ITool.StageScore> stages = new ITool(cfg, dir.resolve("itool")).log(log).progressBar(progress)
                    .excludeFromEvaluation(allPrompts).run();
            byMethod.get("SFT 1x").add(stages.getFirst());
            for (int x = 2; x <= 3; x++) {
                ITool.StageScore score = ITool.evaluate("sft-" + x + "x", sft.get(x), ITool.evaluationSettings(cfg), allPrompts);
                log.accept("seed %d: SFT %dx solved %d of %d".formatted(seed, x, score.solved(), score.problems()));
                byMethod.get("SFT " + x + "x").add(score);
            }
            for (int t = 1; t <= s.iterations(); t++) {
                byMethod.get("iTool iter " + t).add(stages.get(t));
            }
        }
        double minutes = (System.nanoTime() - t0) / 60e9;
        List<MethodScore> scores = new ArrayList<>();
        Rng boot = new Rng(7);
        byMethod.forEach((m, list) -> scores.add(score(m, list, boot.split(m))));
        report(s, firstConfig, scores, minutes);
        return scores;
    }

    static IToolConfig itoolConfig(Settings s, long seed, String init) {
        List<String> o = new ArrayList<>(List.of("init=" + init, "families=" + FAMILIES, "problemsPerFamily=" + s.problemsPerFamily(),
                "dataSeed=" + seed, "seed=" + seed, "warmupSteps=0", "iterations=" + s.iterations(), "evalFamilies=tool-shop",
                "evalProblems=" + s.evalProblems(), "searchPoolPerFamily=" + Math.min(s.problemsPerFamily(), 60)));
        o.addAll(s.overrides());
        return ConfigLoader.load(IToolConfig.class, IToolConfig.defaults(), null, o);
    }

    private static Path trainSft(Path dir, Path data, Path base, long steps, IToolConfig cfg, boolean progress) {
        if (!Files.isRegularFile(dir.resolve("summary.json"))) {
            List<String> o = List.of("data=" + data, "init=" + base, "seed=" + cfg.seed(), "steps=" + steps, "batchSize=" + cfg.batchSize(),
                    "dataOrder=easy-to-hard", "optimizer.learningRate=" + cfg.sftLearningRate(),
                    "optimizer.minLearningRate=" + cfg.sftLearningRate() / 10, "optimizer.warmupSteps=" + Math.min(50, steps / 10),
                    "logEvery=25", "evalEvery=1000000", "keepCheckpoints=1", "eval.families=tool-shop", "eval.problemsPerFamily=1");
            LmTrainConfig c = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("sft", ModelSpec.tiny()), null, o);
            new LmTrainer(c, dir).resume(Files.isRegularFile(dir.resolve("config.json"))).progressBar(progress).fit();
        }
        return dir.resolve(LmTrainer.MODEL_DIR);
    }

    private static MethodScore score(String method, List<ITool.StageScore> perSeed, Rng rng) {
        int n = 0, solved = 0;
        double reward = 0;
        for (ITool.StageScore s : perSeed) {
            n += s.problems();
            solved += s.solved();
            reward += s.meanReward() * s.problems();
        }
        double[] outcomes = new double[n];
        for (int i = 0; i < solved; i++) {
            outcomes[i] = 1;
        }
        double[] ci = n == 0 ? new double[] {0, 0} : Stats.bootstrapCi95(outcomes, 2000, rng);
        return new MethodScore(method, n, solved, n == 0 ? 0 : reward / n, ci, perSeed.stream().map(ITool.StageScore::solveRate).toList());
    }

    private static void report(Settings s, IToolConfig cfg, List<MethodScore> scores, double minutes) {
        Map<String, MethodScore> m = new LinkedHashMap<>();
        scores.forEach(x -> m.put(x.method(), x));
        Path png = s.report().resolveSibling(stem(s.report()) + ".png");
        plot(s, m, png);
        StringBuilder md = new StringBuilder();
        md.append("# iTool: iterative reinforced fine-tuning for tool use\n\n");
        md.append("Claim (Zeng et al. 2025, arXiv 2501.09766): on complex tool use, SFT on more synthetic data plateaus, while iTool's ")
                .append("iterations (deficiency selection, MCTS step-level pairs, SimPO) keep improving.\n\n");
        md.append("## Command\n\n```bash\nbin/fulcrum experiment itool --seeds ").append(s.seeds()).append(" --first-seed ").append(s.firstSeed())
                .append(" --problems-per-family ").append(s.problemsPerFamily()).append(" --sft-steps ").append(s.sftStepsPer1x())
                .append(" --iterations ").append(s.iterations()).append(" --eval-problems ").append(s.evalProblems())
                .append(s.base().equals(BaseSft.Spec.smoke()) ? " --base smoke" : s.base().equals(toolsBase()) ? " --base tools" : "");
        for (String o : s.overrides()) {
            md.append(" --set ").append(o);
        }
        md.append("\n```\n\n");
        md.append("## Set-up\n\n");
        md.append("* Base: `BaseSft` spec ").append(s.base().modelSize()).append(" (").append(s.base().steps()).append(" updates on ")
                .append(s.base().perFamily()).append(" problems of each ").append(s.base().families()).append(" family).\n");
        md.append("* Synthetic data: ").append(FAMILIES).append("; 1x = ").append(s.problemsPerFamily()).append(" problems per family; SFT ")
                .append(s.sftStepsPer1x()).append(" updates per 1x (batch ").append(cfg.batchSize()).append(", learning rate ")
                .append(cfg.sftLearningRate()).append(", easy to hard).\n");
        md.append("* iTool from the 1x model: ").append(cfg.iterations()).append(" iterations; deficiency ratio ").append(cfg.deficiencyRatio())
                .append(" of the first ").append(cfg.searchPoolPerFamily()).append(" problems per family; MCTS ").append(cfg.mctsIterations())
                .append(" iterations per problem, width ").append(cfg.mctsWidth()).append(", depth ").append(cfg.mctsDepth()).append(", c ")
                .append(cfg.exploration()).append(", gap ").append(cfg.minGap()).append(", temperature ").append(cfg.temperature())
                .append("; SimPO beta ").append(cfg.simpoBeta()).append(", gamma ").append(cfg.simpoGamma()).append(", ")
                .append(cfg.preferenceSteps()).append(" updates at learning rate ").append(cfg.preferenceLearningRate()).append(".\n");
        md.append("* Measure: greedy success (gold reward 1) on ").append(s.evalProblems())
                .append(" fresh tool-shop problems (seed ").append(cfg.evalSeed()).append("), those whose prompt is in the 3x data removed; ")
                .append(s.seeds()).append(" seed(s) from ").append(s.firstSeed()).append(". Wall clock: ")
                .append(String.format(Locale.ROOT, "%.1f", minutes)).append(" minutes.\n\n");
        md.append("## Results\n\n| method | success rate | 95% CI | mean gold reward | problems | per seed |\n|---|---|---|---|---|---|\n");
        for (MethodScore x : scores) {
            md.append(String.format(Locale.ROOT, "| %s | %.3f | [%.3f, %.3f] | %.3f | %d | %s |%n", x.method(), x.successRate(), x.ci()[0],
                    x.ci()[1], x.meanReward(), x.problems(), x.perSeed().stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).toList()));
        }
        md.append("\n![success rates](").append(png.getFileName()).append(")\n\n## Verdict\n\n").append(verdict(m, s)).append("\n");
        AtomicFiles.writeString(s.report(), md.toString());
    }

    static String verdict(Map<String, MethodScore> m, Settings s) {
        MethodScore sft1 = m.get("SFT 1x"), sft2 = m.get("SFT 2x"), sft3 = m.get("SFT 3x"), last = m.get("iTool iter " + s.iterations());
        String rewards = String.format(Locale.ROOT, "Mean gold reward (partial credit for steps): SFT 1x/2x/3x %.3f/%.3f/%.3f; iTool "
                + "iterations 1..%d: %s.", sft1.meanReward(), sft2.meanReward(), sft3.meanReward(), s.iterations(),
                m.values().stream().filter(x -> x.method().startsWith("iTool")).map(x -> String.format(Locale.ROOT, "%.3f", x.meanReward()))
                        .toList());
        String scale = s.seeds() < 3 ? " Only " + s.seeds() + " seed(s) and a reduced size: a smoke-scale measurement." : "";
        if (last == null) {
            return "Not established: no iTool iteration ran. " + rewards + scale;
        }
        boolean anySolved = m.values().stream().anyMatch(x -> x.solved() > 0);
        if (!anySolved) {
            return "Not established: no model solves any evaluation problem, so success rates cannot separate the methods. " + rewards
                    + (last.meanReward() > sft3.meanReward() ? " On reward, iTool ends above 3x SFT."
                    : " On reward, iTool ends below 3x SFT" + (last.meanReward() < sft1.meanReward() ? " and below its own 1x start." : "."))
                    + scale;
        }
        boolean sftPlateau = sft3.successRate() - sft2.successRate() <= sft2.successRate() - sft1.successRate();
        boolean itoolBeatsData = last.ci()[0] > sft3.ci()[1];
        boolean itoolImproves = last.ci()[0] > sft1.ci()[1];
        String numbers = String.format(Locale.ROOT, "Success: SFT 1x/2x/3x %.3f/%.3f/%.3f; iTool after %d iterations %.3f.", sft1.successRate(),
                sft2.successRate(), sft3.successRate(), s.iterations(), last.successRate());
        if (itoolBeatsData && itoolImproves && sftPlateau) {
            return "Held (at this scale): " + numbers + " iTool's last iteration is above SFT on 3x data with non-overlapping 95% "
                    + "intervals, and the SFT gains shrink with more data. " + rewards + scale;
        }
        return "Not established: " + numbers + (itoolImproves ? " iTool improves on its 1x start" : " iTool does not improve on its 1x "
                + "start beyond the 95% intervals") + (itoolBeatsData ? " and beats 3x SFT" : ", and does not beat 3x SFT beyond the "
                + "intervals") + (sftPlateau ? "; the SFT gains shrink with more data. " : "; the SFT gains do not shrink. ") + rewards + scale;
    }

    private static void plot(Settings s, Map<String, MethodScore> m, Path png) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title("complex tool use (tool-shop): greedy success and gold reward")
                .xAxisTitle("SFT data multiple (SFT) / iTool iteration + 1 (iTool, from the 1x model)").yAxisTitle("success rate, mean gold reward").build();
        double[] x = {1, 2, 3};
        chart.addSeries("SFT: success rate", x, new double[] {m.get("SFT 1x").successRate(), m.get("SFT 2x").successRate(),
                m.get("SFT 3x").successRate()});
        double[] xi = new double[s.iterations() + 1], yi = new double[s.iterations() + 1];
        xi[0] = 1;
        yi[0] = m.get("SFT 1x").successRate();
        for (int t = 1; t <= s.iterations(); t++) {
            xi[t] = t + 1;
            yi[t] = m.get("iTool iter " + t).successRate();
        }
        chart.addSeries("iTool: success rate", xi, yi);
        double[] ri = new double[s.iterations() + 1];
        ri[0] = m.get("SFT 1x").meanReward();
        for (int t = 1; t <= s.iterations(); t++) {
            ri[t] = m.get("iTool iter " + t).meanReward();
        }
        chart.addSeries("SFT: mean gold reward", x, new double[] {m.get("SFT 1x").meanReward(), m.get("SFT 2x").meanReward(),
                m.get("SFT 3x").meanReward()});
        chart.addSeries("iTool: mean gold reward", xi, ri);
        Charts.save(chart, png);
    }

    private static String stem(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
    }
}
