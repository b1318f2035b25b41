package dev.fulcrum.experiment;

import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.data.DatasetMixture;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;

/**
 * A2PR's claim (Liu et al., ICML 2024): on suboptimal, mixed-quality datasets, regularising toward the higher-advantage
 * of the dataset action and a VAE-generated action beats regularising toward every dataset action (TD3+BC), and
 * competes with advantage-weighted regression (IQL).
 *
 * <p>For each environment and each {@link DatasetMixture} recipe one dataset is collected (seed 0); A2PR, TD3+BC and
 * IQL are trained on it with seeds 0..n-1 at their reference hyper-parameters; final normalised scores are compared with
 * 95% confidence intervals and Welch's t-test, per dataset. On sparse-reward environments IQL gets its authors' settings
 * for sparse goal tasks (beta 10, expectile 0.9). The report ({@code docs/results/a2pr.md}) states the verdict and
 * draws the final scores and the learning curves.
 */
public final class A2prExperiment {

    // The default protocol (the CLI's defaults): every recipe on both environments, 5 seeds, reference network sizes.
    public static final String DEFAULT_ENVS = "pendulum,point-goal";
    public static final String DEFAULT_DATASETS = "medium-replay,medium-expert,random-expert";
    public static final String DEFAULT_ALGOS = "a2pr,td3bc,iql";
    public static final int DEFAULT_TRANSITIONS = 100_000;
    public static final int DEFAULT_SEEDS = 5;
    public static final long DEFAULT_STEPS = 20_000;
    public static final int DEFAULT_EVAL_EVERY = 2000;
    public static final int DEFAULT_EVAL_EPISODES = 20;

    public record Settings(List<String> envs, List<String> datasets, int transitions, int seeds, long steps, int evalEvery,
                           int evalEpisodes, List<String> algorithms, List<String> overrides, Path workDir, Path report) {
        public Settings {
            envs.forEach(EnvRegistry::make); // unknown ids fail here, naming the known ones
            datasets.forEach(DatasetMixture::named);
            if (seeds < 2) {
                throw new IllegalArgumentException("seeds must be at least 2 for confidence intervals, got " + seeds);
            }
            if (!algorithms.contains("a2pr")) {
                throw new IllegalArgumentException("algorithms must include a2pr, got " + algorithms);
            }
            envs = List.copyOf(envs);
            datasets = List.copyOf(datasets);
            algorithms = List.copyOf(algorithms);
            overrides = List.copyOf(overrides);
        }
    }

    /** One environment-and-dataset cell: the dataset's own score and each algorithm's runs. */
    public record Cell(String env, String dataset, double datasetScore, int transitions, int episodes,
                       Map<String, SeedRuns.Result> runs) {
        String label() {
            return env + "/" + dataset;
        }

        double[] finals(String algo) {
            return runs.get(algo).finalScores();
        }
    }

    public record Outcome(List<Cell> cells, String verdict) {
    }

    /** Settings a sparse-reward environment adds for every run (IQL's authors' sparse-task hyper-parameters). */
    static List<String> envOverrides(EnvSpec spec) {
        return spec.sparseReward() ? List.of("iql.beta=10", "iql.expectile=0.9") : List.of();
    }

    /** How {@code s} departs from the default protocol, one phrase per setting (empty for the full protocol). */
    static List<String> deviations(Settings s) {
        List<String> d = new ArrayList<>();
        differs(d, "environments", String.join(",", s.envs()), DEFAULT_ENVS);
        differs(d, "datasets", String.join(",", s.datasets()), DEFAULT_DATASETS);
        differs(d, "algorithms", String.join(",", s.algorithms()), DEFAULT_ALGOS);
        differs(d, "transitions", Integer.toString(s.transitions()), Integer.toString(DEFAULT_TRANSITIONS));
        differs(d, "seeds", Integer.toString(s.seeds()), Integer.toString(DEFAULT_SEEDS));
        differs(d, "steps", Long.toString(s.steps()), Long.toString(DEFAULT_STEPS));
        differs(d, "evaluation interval", Integer.toString(s.evalEvery()), Integer.toString(DEFAULT_EVAL_EVERY));
        differs(d, "evaluation episodes", Integer.toString(s.evalEpisodes()), Integer.toString(DEFAULT_EVAL_EPISODES));
        if (!s.overrides().isEmpty()) {
            d.add("training overrides " + String.join(" ", s.overrides()) + " (default: none, reference hyper-parameters)");
        }
        return d;
    }

    private static void differs(List<String> out, String what, String value, String defaultValue) {
        if (!value.equals(defaultValue)) {
            out.add(what + " " + value + " (default " + defaultValue + ")");
        }
    }

    public static Outcome run(Settings s, boolean progress) {
        long t0 = System.nanoTime();
        List<Cell> cells = new ArrayList<>();
        for (String env : s.envs()) {
            EnvSpec spec = EnvRegistry.make(env).spec();
            for (String name : s.datasets()) {
                DatasetMixture.Recipe recipe = DatasetMixture.named(name);
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("experiment", "a2pr");
                OfflineDataset data = DatasetMixture.collect(env, recipe, s.transitions(), new Rng(0), meta);
                Path file = s.workDir().resolve(env + "-" + name + ".hdf5");
                D4rlHdf5.write(data, file);
                double datasetScore = spec.normalisedScore(Stats.mean(data.episodeReturns()));
                System.out.printf(Locale.ROOT, "%s %s: %d transitions, %d episodes, dataset score %.1f%n", env, name, data.size(),
                        data.episodeCount(), datasetScore);
                List<String> overrides = new ArrayList<>(envOverrides(spec));
                overrides.addAll(s.overrides());
                Map<String, SeedRuns.Result> runs = new LinkedHashMap<>();
                for (String algo : s.algorithms()) {
                    runs.put(algo, SeedRuns.train(new SeedRuns.Plan(algo, env, file, s.seeds(), s.steps(), s.evalEvery(),
                            s.evalEpisodes(), overrides), s.workDir().resolve("runs").resolve(env + "-" + name), progress));
                }
                cells.add(new Cell(env, name, datasetScore, data.size(), data.episodeCount(), runs));
            }
        }
        String verdict = writeReport(s, cells, (System.nanoTime() - t0) / 60e9);
        return new Outcome(cells, verdict);
    }

    /** Wins, ties and losses of A2PR against one baseline across cells (Welch, p < 0.05). */
    record Tally(String baseline, int wins, int ties, int losses) {
        String describe() {
            return String.format(Locale.ROOT, "vs %s: %d significantly better, %d not significantly different, %d significantly worse",
                    baseline, wins, ties, losses);
        }
    }

    static Tally tally(String baseline, List<ResultTables.Comparison> comparisons) {
        int w = 0, t = 0, l = 0;
        for (ResultTables.Comparison c : comparisons) {
            if (c.firstBetter()) {
                w++;
            } else if (c.firstWorse()) {
                l++;
            } else {
                t++;
            }
        }
        return new Tally(baseline, w, t, l);
    }

    /**
     * The verdict: the claim against TD3+BC (A2PR's own baseline, the anchor it replaces) is HELD when A2PR is
     * significantly better on at least half of the cells and significantly worse on none; otherwise NOT HELD. The
     * comparison with IQL is reported alongside, not required.
     */
    static String verdict(Tally vsTd3bc, Tally vsIql, int cells) {
        String head;
        if (vsTd3bc == null) {
            head = "NO VERDICT (td3bc was not run)";
        } else {
            boolean held = vsTd3bc.wins() * 2 >= cells && vsTd3bc.losses() == 0;
            head = (held ? "HELD" : "NOT HELD") + " over " + cells + " dataset(s): a2pr " + vsTd3bc.describe();
        }
        return head + (vsIql != null ? "; a2pr " + vsIql.describe() : "") + ".";
    }

    private static String writeReport(Settings s, List<Cell> cells, double minutes) {
        StringBuilder md = new StringBuilder();
        md.append("# A2PR vs TD3+BC and IQL on mixed-quality datasets\n\n");
        md.append("Generated by `fulcrum experiment a2pr` on ").append(LocalDate.now()).append(".\n\n");
        md.append("Command: `fulcrum experiment a2pr --envs ").append(String.join(",", s.envs())).append(" --datasets ")
                .append(String.join(",", s.datasets())).append(" --transitions ").append(s.transitions()).append(" --seeds ")
                .append(s.seeds()).append(" --steps ").append(s.steps()).append(" --eval-every ").append(s.evalEvery())
                .append(" --eval-episodes ").append(s.evalEpisodes()).append(" --algos ").append(String.join(",", s.algorithms()));
        s.overrides().forEach(o -> md.append(" --set ").append(o));
        md.append("`\n\n");
        md.append(String.format(Locale.ROOT, "Wall time: %.1f minutes on %d available processors.%n%n", minutes,
                Runtime.getRuntime().availableProcessors()));
        List<String> deviations = deviations(s);
        if (!deviations.isEmpty()) {
            md.append("**Reduced run.** This is not the default protocol (`fulcrum experiment a2pr` with no options); it ")
                    .append("differs in: ").append(String.join("; ", deviations)).append(". Its numbers show how the ")
                    .append("methods compare at this budget, not at the reference sizes.\n\n");
        }
        md.append("**Claim** (Liu et al., ICML 2024, A2PR): on suboptimal mixed datasets, regularising the policy toward ")
                .append("the higher-advantage of the dataset action and a VAE-generated action (A2PR) beats regularising toward ")
                .append("every dataset action (TD3+BC), and is competitive with advantage-weighted regression (IQL).\n\n");
        md.append("**Setup.** Datasets (one per environment and recipe, collected with seed 0 by `DatasetMixture`, ")
                .append(s.transitions()).append(" transitions each): ");
        List<String> recipes = new ArrayList<>();
        for (String d : s.datasets()) {
            recipes.add("`" + d + "` = " + DatasetMixture.named(d).describe());
        }
        md.append(String.join("; ", recipes)).append(" (shares of transitions by the scripted behaviour tiers random / ")
                .append("medium / expert). Each algorithm trained for ").append(s.steps()).append(" gradient steps with seeds 0..")
                .append(s.seeds() - 1).append(" at its reference hyper-parameters (A2PR: actor 3x256, critics and V 4x256, VAE ")
                .append("750-750 with latent 2|A|, alpha 2.5, mask 1, vae_weight 1; TD3+BC: 2x256, alpha 2.5; IQL: 2x256, beta 3, ")
                .append("expectile 0.7, or beta 10, expectile 0.9 on sparse-reward environments; batch 256, Adam 3e-4)")
                .append(s.overrides().isEmpty() ? "" : ", with the overrides " + s.overrides()).append(". Score: D4RL normalised ")
                .append("score, 100 (R - R_random) / (R_expert - R_random), mean over ").append(s.evalEpisodes())
                .append(" evaluation episodes at the final step. The dataset row is the normalised mean return of the dataset's ")
                .append("episodes (episodes cut by a component's transition budget included).\n\n");

        List<ResultTables.Comparison> vsTd3bc = new ArrayList<>(), vsIql = new ArrayList<>();
        for (Cell c : cells) {
            md.append("## ").append(c.label()).append("\n\n");
            md.append(c.transitions()).append(" transitions, ").append(c.episodes()).append(" episodes.\n\n");
            md.append(ResultTables.SCORE_HEADER);
            md.append(String.format(Locale.ROOT, "| dataset | %.1f | | |%n", c.datasetScore()));
            c.runs().forEach((algo, r) -> md.append(ResultTables.scoreRow(algo, r.finalScores())));
            md.append("\n").append(ResultTables.WELCH_HEADER);
            for (String baseline : List.of("td3bc", "iql")) {
                if (c.runs().containsKey(baseline)) {
                    ResultTables.Comparison cmp = ResultTables.Comparison.of("a2pr", c.finals("a2pr"), baseline, c.finals(baseline));
                    md.append(cmp.row());
                    (baseline.equals("td3bc") ? vsTd3bc : vsIql).add(cmp);
                }
            }
            md.append("\n");
        }
        Tally t1 = vsTd3bc.isEmpty() ? null : tally("td3bc", vsTd3bc);
        Tally t2 = vsIql.isEmpty() ? null : tally("iql", vsIql);
        String verdict = verdict(t1, t2, cells.size());
        md.append("## Verdict\n\n**").append(verdict).append("**\n\n");
        md.append("The claim is counted as held when A2PR is significantly better than TD3+BC (Welch, p < 0.05) on at least ")
                .append("half of the datasets and significantly worse on none; with ").append(s.seeds())
                .append(" seeds per algorithm a difference of a few points is within noise.\n\n");

        String base = s.report().getFileName().toString().replace(".md", "");
        Path scoresPng = s.report().resolveSibling(base + "-scores.png");
        Path curvesPng = s.report().resolveSibling(base + "-curves.png");
        Charts.save(scoreChart(s, cells), scoresPng);
        List<XYChart> curveCharts = new ArrayList<>();
        for (Cell c : cells) {
            Map<String, TreeMap<Long, List<Double>>> curves = new LinkedHashMap<>();
            c.runs().forEach((algo, r) -> curves.put(algo, r.evalCurve()));
            curveCharts.add(ResultTables.curves(c.label(), curves, "dataset", c.datasetScore()));
        }
        Charts.saveGrid(curveCharts, curvesPng);
        md.append("![final scores](").append(scoresPng.getFileName()).append(")\n\n");
        md.append("Final normalised scores, mean over seeds with 95% t-intervals; the grey bar is the dataset's own score.\n\n");
        md.append("![learning curves](").append(curvesPng.getFileName()).append(")\n\n");
        md.append("Curves: mean normalised score over seeds at each evaluation; the dashed line is the dataset's score.\n\n");
        md.append("Dataset provenance: every dataset's HDF5 file records `mixture`, `components`, `generator`, `env` and ")
                .append("`seed` in its metadata; files and runs are under `").append(s.workDir()).append("`.\n");
        AtomicFiles.writeString(s.report(), md.toString());
        return verdict;
    }

    private static CategoryChart scoreChart(Settings s, List<Cell> cells) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(460).title("final normalised score")
                .xAxisTitle("environment / dataset").yAxisTitle("normalised score").build();
        List<String> labels = cells.stream().map(Cell::label).toList();
        chart.addSeries("dataset", labels, cells.stream().map(c -> (Number) c.datasetScore()).toList())
                .setFillColor(java.awt.Color.LIGHT_GRAY);
        for (String algo : s.algorithms()) {
            List<Number> means = new ArrayList<>(), errors = new ArrayList<>();
            for (Cell c : cells) {
                means.add(Stats.mean(c.finals(algo)));
                errors.add(Stats.ci95HalfWidth(c.finals(algo)));
            }
            chart.addSeries(algo, labels, means, errors);
        }
        return chart;
    }
}
