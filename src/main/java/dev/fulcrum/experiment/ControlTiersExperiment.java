package dev.fulcrum.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.control.train.OfflineTrainer;
import dev.fulcrum.control.train.TrainConfig;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.core.stats.Rliable;
import dev.fulcrum.core.stats.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The control suite's acceptance table (issue 3): IQL, TD3+BC, AWAC and BC trained offline on the SAC-made dataset tiers
 * ({@code fulcrum control make-datasets}) of several MuJoCo tasks, with seeds, normalised scores and 95% confidence
 * intervals, and the ordering compared with CORL's published pattern:
 * <ul>
 *   <li>IQL and TD3+BC beat BC on medium-replay and medium-expert;</li>
 *   <li>AWAC is close to IQL.</li>
 * </ul>
 * Every run is a normal offline run directory under {@code work/<env>/<tier>/<algo>-seed<k>}; a run whose
 * {@code summary.json} already exists is read, not retrained, so the table can be filled by several processes (for
 * example one per environment) and then written by a final invocation that finds every run done.
 */
public final class ControlTiersExperiment {
    public static final String DEFAULT_ENVS = "hopper,halfcheetah";
    public static final String DEFAULT_TIERS = "medium,medium-replay,medium-expert";
    public static final String DEFAULT_ALGOS = "bc,iql,td3bc,awac";

    /**
     * @param envs         MuJoCo (or any) environment ids
     * @param tiers        dataset tiers; each is read from {@code data} with {env} replaced, as {@code <env>-<tier>.hdf5}
     * @param algorithms   offline algorithms
     * @param data         the tiers' directory, with {@code {env}} standing for the environment id
     * @param overrides    training overrides for every run ({@code key=value})
     * @param reportOnly   read the finished runs and write the report; fail naming the first missing run
     */
    public record Settings(List<String> envs, List<String> tiers, List<String> algorithms, int seeds, long steps, int evalEvery,
                           int evalEpisodes, String data, List<String> overrides, Path work, Path report, boolean reportOnly,
                           String command) {
        public Settings {
            if (seeds < 2) {
                throw new IllegalArgumentException("--seeds must be at least 2 for confidence intervals, got " + seeds);
            }
            if (!data.contains("{env}") && envs.size() > 1) {
                throw new IllegalArgumentException("--data must contain {env} when there are several environments, got '"
                        + data + "'");
            }
        }

        Path dataset(String env, String tier) {
            return Path.of(data.replace("{env}", env)).resolve(env + "-" + tier + ".hdf5");
        }
    }

    /** Final normalised scores by env, tier and algorithm (one per seed), and the datasets' own scores. */
    public record Outcome(Map<String, Map<String, Map<String, double[]>>> scores, Map<String, Map<String, Double>> datasetScores,
                          Map<String, Map<String, Map<String, TreeMap<Long, List<Double>>>>> curves) {
    }

    private ControlTiersExperiment() {
    }

    public static Outcome run(Settings s, boolean progress) {
        Map<String, Map<String, Map<String, double[]>>> scores = new LinkedHashMap<>();
        Map<String, Map<String, Double>> datasetScores = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, TreeMap<Long, List<Double>>>>> curves = new LinkedHashMap<>();
        for (String env : s.envs()) {
            EnvSpec spec = EnvRegistry.make(env).spec();
            for (String tier : s.tiers()) {
                Path file = s.dataset(env, tier);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("dataset " + file + " not found: make the tiers first with "
                            + "'fulcrum control make-datasets --env " + env + " --out " + file.getParent() + "'");
                }
                OfflineDataset data = D4rlHdf5.read(file);
                datasetScores.computeIfAbsent(env, k -> new LinkedHashMap<>())
                        .put(tier, spec.normalisedScore(Stats.mean(data.episodeReturns())));
                for (String algo : s.algorithms()) {
                    double[] perSeed = new double[s.seeds()];
                    TreeMap<Long, List<Double>> curve = new TreeMap<>();
                    for (int seed = 0; seed < s.seeds(); seed++) {
                        Path runDir = s.work().resolve(env).resolve(tier).resolve(algo + "-seed" + seed);
                        double finalReturn = finalReturn(s, env, file, algo, seed, runDir, progress);
                        perSeed[seed] = spec.normalisedScore(finalReturn);
                        OfflineToOnlineExperiment.evaluations(runDir).forEach((step, score) ->
                                curve.computeIfAbsent(step, k -> new ArrayList<>()).add(score));
                        System.out.printf(Locale.ROOT, "%s %s %s seed %d: return %.1f, normalised %.1f%n", env, tier, algo,
                                seed, finalReturn, perSeed[seed]);
                    }
                    scores.computeIfAbsent(env, k -> new LinkedHashMap<>()).computeIfAbsent(tier, k -> new LinkedHashMap<>())
                            .put(algo, perSeed);
                    curves.computeIfAbsent(env, k -> new LinkedHashMap<>()).computeIfAbsent(tier, k -> new LinkedHashMap<>())
                            .put(algo, curve);
                }
            }
        }
        Outcome outcome = new Outcome(scores, datasetScores, curves);
        writeReport(s, outcome);
        return outcome;
    }

    /**
     * The run's final mean evaluation return: read from its summary when it finished before with these settings, trained
     * otherwise (a finished run of other settings is refused, {@link RunDirectory#finishedWith}).
     */
    private static double finalReturn(Settings s, String env, Path dataset, String algo, int seed, Path runDir, boolean progress) {
        List<String> o = new ArrayList<>(List.of("algo=" + algo, "env=" + env, "dataset=" + dataset, "seed=" + seed,
                "steps=" + s.steps(), "evalEvery=" + s.evalEvery(), "evalEpisodes=" + s.evalEpisodes(),
                "checkpointEvery=" + s.steps(), "logEvery=" + Math.max(1, s.evalEvery() / 5)));
        o.addAll(s.overrides());
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null, o);
        if (RunDirectory.finishedWith(runDir, cfg)) {
            Path summary = runDir.resolve("summary.json");
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(summary.toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + summary + ": " + e.getMessage(), e);
            }
            if (!n.has("final_return_mean")) {
                throw new IllegalArgumentException(summary + ": no final_return_mean (not a finished offline run)");
            }
            return n.get("final_return_mean").asDouble();
        }
        if (s.reportOnly()) {
            throw new IllegalArgumentException("--report-only: run " + runDir + " has not finished (no summary.json)");
        }
        return new OfflineTrainer(cfg, runDir).progressBar(progress).fit().finalEvaluation().meanReturn();
    }

    /** CORL's pattern as pairwise claims: (better, worse) on the named tiers; AWAC vs IQL is a "close" claim. */
    private record PatternClaim(String first, String second, List<String> tiers, boolean closeness) {
    }

    private static final List<PatternClaim> CORL_PATTERN = List.of(
            new PatternClaim("iql", "bc", List.of("medium-replay", "medium-expert"), false),
            new PatternClaim("td3bc", "bc", List.of("medium-replay", "medium-expert"), false),
            new PatternClaim("awac", "iql", List.of("medium", "medium-replay", "medium-expert"), true));

    private static void writeReport(Settings s, Outcome o) {
        StringBuilder md = new StringBuilder();
        md.append("# Offline RL on SAC-made MuJoCo dataset tiers (control-suite acceptance)\n\n");
        md.append("Generated by `fulcrum experiment control-tiers` on ").append(LocalDate.now()).append(".\n\n");
        md.append("Command: `").append(s.command()).append("`\n\n");
        md.append("Each algorithm trained for ").append(s.steps()).append(" gradient steps with seeds 0..").append(s.seeds() - 1)
                .append(" on each tier; score = normalised score 100 (R - R_random) / (R_expert - R_random) with the ")
                .append("environment's reference scores, mean return of ").append(s.evalEpisodes())
                .append(" deterministic evaluation episodes at the final step. Cells: mean ± 95% t-interval half-width over ")
                .append("seeds. The `data` column is the dataset's own mean episode score.\n\n");
        if (!s.overrides().isEmpty()) {
            md.append("Overrides for every run: `").append(String.join(" ", s.overrides())).append("`.\n\n");
        }
        StringBuilder header = new StringBuilder("| task | data |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (String algo : s.algorithms()) {
            header.append(" ").append(algo).append(" |");
            rule.append("---|");
        }
        md.append(header).append("\n").append(rule).append("\n");
        o.scores().forEach((env, byTier) -> byTier.forEach((tier, byAlgo) -> {
            md.append(String.format(Locale.ROOT, "| %s-%s | %.1f |", env, tier, o.datasetScores().get(env).get(tier)));
            for (String algo : s.algorithms()) {
                double[] v = byAlgo.get(algo);
                md.append(String.format(Locale.ROOT, " %.1f ± %.1f |", Stats.mean(v), Stats.ci95HalfWidth(v)));
            }
            md.append("\n");
        }));
        md.append("\nPer seed:\n\n| task | algorithm | scores |\n|---|---|---|\n");
        o.scores().forEach((env, byTier) -> byTier.forEach((tier, byAlgo) -> byAlgo.forEach((algo, v) -> {
            StringBuilder per = new StringBuilder();
            for (double x : v) {
                per.append(per.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", x));
            }
            md.append("| ").append(env).append("-").append(tier).append(" | ").append(algo).append(" | ").append(per).append(" |\n");
        })));

        md.append("\n## Aggregate over all tasks (rliable)\n\nInterquartile mean of all runs and mean of task means, with ")
                .append("95% stratified-bootstrap intervals (2,000 resamples, tasks as strata).\n\n")
                .append("| algorithm | IQM | 95% CI | mean | 95% CI |\n|---|---|---|---|---|\n");
        for (String algo : s.algorithms()) {
            List<double[]> tasks = new ArrayList<>();
            o.scores().values().forEach(byTier -> byTier.values().forEach(m -> tasks.add(m.get(algo))));
            double[][] t = tasks.toArray(double[][]::new);
            Rliable.Interval iqm = Rliable.stratifiedBootstrap(t, Rliable.Aggregate.IQM, 2000, 0.95, new Rng(0).split("iqm-" + algo));
            Rliable.Interval mean = Rliable.stratifiedBootstrap(t, Rliable.Aggregate.MEAN, 2000, 0.95,
                    new Rng(0).split("mean-" + algo));
            md.append(String.format(Locale.ROOT, "| %s | %.1f | [%.1f, %.1f] | %.1f | [%.1f, %.1f] |%n", algo, iqm.estimate(),
                    iqm.lo(), iqm.hi(), mean.estimate(), mean.lo(), mean.hi()));
        }

        md.append("\n## Ordering against CORL's pattern\n\nCORL (D4RL v2, 1M steps): IQL and TD3+BC above BC on ")
                .append("medium-replay and medium-expert; AWAC close to IQL. Each claim below is checked per task with ")
                .append("Welch's t-test on the seeds' final scores (\"holds\": the difference has the claimed sign and p < 0.05; ")
                .append("\"same sign\": right sign, not significant; for AWAC vs IQL \"close\" means not significantly ")
                .append("different).\n\n| task | comparison | difference | p | reading |\n|---|---|---|---|---|\n");
        o.scores().forEach((env, byTier) -> byTier.forEach((tier, scores) -> {
            for (PatternClaim c : CORL_PATTERN) {
                if (!c.tiers().contains(tier) || !scores.containsKey(c.first()) || !scores.containsKey(c.second())) {
                    continue;
                }
                ResultTables.Comparison cmp = ResultTables.Comparison.of(c.first(), scores.get(c.first()), c.second(),
                        scores.get(c.second()));
                String reading = c.closeness()
                        ? (cmp.p() < 0.05 ? (cmp.difference() > 0 ? "AWAC significantly above" : "AWAC significantly below")
                        : "close (holds)")
                        : cmp.firstBetter() ? "holds" : cmp.difference() > 0 ? "same sign, not significant"
                        : cmp.firstWorse() ? "reversed (significant)" : "reversed sign, not significant";
                md.append(String.format(Locale.ROOT, "| %s-%s | %s vs %s | %+.1f | %.3g | %s |%n", env, tier, c.first(),
                        c.second(), cmp.difference(), cmp.p(), reading));
            }
        }));
        md.append("\n");
        appendTrainingLength(s, o, md);
        AtomicFiles.writeString(s.report(), md.toString());
    }

    /**
     * Score during training: the mean normalised score over seeds at every evaluation step, per task, with the order of
     * the algorithms at that step, and one PNG of the curves per task. This is what tests whether a short budget explains
     * an ordering that differs from CORL's: if the order at the last step differs from the order at the early steps, the
     * early table was a snapshot of a moving ranking.
     */
    private static void appendTrainingLength(Settings s, Outcome o, StringBuilder md) {
        md.append("## Score during training\n\nMean normalised score over seeds at each evaluation step (the order of the ")
                .append("algorithms at that step in the last column).\n\n");
        String stem = s.report().getFileName().toString().replace(".md", "");
        o.curves().forEach((env, byTier) -> byTier.forEach((tier, byAlgo) -> {
            md.append("### ").append(env).append("-").append(tier).append("\n\n| step |");
            byAlgo.keySet().forEach(a -> md.append(" ").append(a).append(" |"));
            md.append(" order |\n|---|").append("---|".repeat(byAlgo.size())).append("---|\n");
            java.util.SortedSet<Long> steps = new java.util.TreeSet<>();
            byAlgo.values().forEach(c -> steps.addAll(c.keySet()));
            for (long step : steps) {
                md.append("| ").append(step).append(" |");
                Map<String, Double> means = new LinkedHashMap<>();
                byAlgo.forEach((algo, curve) -> {
                    List<Double> v = curve.get(step);
                    if (v == null) {
                        md.append(" - |");
                    } else {
                        double m = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                        means.put(algo, m);
                        md.append(String.format(Locale.ROOT, " %.1f |", m));
                    }
                });
                md.append(" ").append(String.join(" > ", means.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).map(Map.Entry::getKey).toList()))
                        .append(" |\n");
            }
            String png = stem + "-" + env + "-" + tier + ".png";
            ResultTables.saveCurves(env + "-" + tier + " (dataset " + String.format(Locale.ROOT, "%.1f",
                    o.datasetScores().get(env).get(tier)) + ")", byAlgo, "dataset", o.datasetScores().get(env).get(tier),
                    s.report().resolveSibling(png));
            md.append("\n![").append(env).append("-").append(tier).append(" curves](").append(png).append(")\n\n");
        }));
    }
}
