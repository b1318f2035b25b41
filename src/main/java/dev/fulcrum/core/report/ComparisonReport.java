package dev.fulcrum.core.report;

import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Rliable;
import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.core.stats.TwoSampleTests;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A comparison page for several runs ({@code fulcrum report RUN... --out DIR}): runs are grouped by the {@code env} and
 * {@code algo} of their config.json, and the page ({@code DIR/report.html}, self-contained) shows, per environment:
 * <ul>
 *   <li>learning curves: the mean {@value #SCORE_METRIC} over a group's seeds at each evaluation step with a band of the
 *       95% Student-t interval of that mean (where two or more seeds evaluated at the step); also written as
 *       {@code DIR/curves-ENV.png};</li>
 *   <li>the final normalised score of each algorithm: runs, mean and interquartile mean with 95% stratified-bootstrap
 *       intervals ({@link Rliable}), standard deviation, and every seed's score;</li>
 *   <li>pairwise tests between algorithms (two or more runs each): Welch's t, Mann-Whitney U and a permutation test
 *       ({@link TwoSampleTests}), and the probability of improvement P(A &gt; B) with its bootstrap interval.</li>
 * </ul>
 * With several environments, a section aggregates over them per algorithm (runs x tasks: mean and median of per-task
 * means, IQM of all scores, each with a stratified-bootstrap interval) and gives P(A &gt; B) over the environments both
 * algorithms ran on. Every number also goes to {@code DIR/comparison.json}. Bootstrap draws come from one seed
 * ({@link Settings#seed}), split by statistic, so the page is reproducible.
 */
public final class ComparisonReport {
    /** summary.json field holding a run's final normalised score. */
    public static final String FINAL_SCORE = "final_normalised_score";
    /** metrics.jsonl field of the evaluation rows plotted as learning curves. */
    public static final String SCORE_METRIC = "normalised_score";

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(255, 127, 14), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
            new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    private ComparisonReport() {
    }

    /**
     * @param resamples  bootstrap replicates per interval
     * @param confidence interval coverage, e.g. 0.95
     * @param seed       seed of the bootstrap draws (and the random relabellings of large permutation tests)
     */
    public record Settings(int resamples, double confidence, long seed) {
        public Settings {
            if (resamples < 1) {
                throw new IllegalArgumentException("resamples must be positive, got " + resamples);
            }
            if (!(confidence > 0 && confidence < 1)) {
                throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
            }
        }

        public static Settings defaults() {
            return new Settings(10_000, 0.95, 0);
        }
    }

    /** One algorithm on one environment: its runs' final scores and their statistics. */
    public record GroupStats(String env, String algo, List<RunScores> runs, double[] scores, Rliable.Interval mean,
                             Rliable.Interval iqm, double std) {
    }

    /** One algorithm over all the environments it ran on (runs x tasks). */
    public record Aggregate(String algo, List<String> envs, int runs, Rliable.Interval mean, Rliable.Interval median,
                            Rliable.Interval iqm) {
    }

    /**
     * Algorithm a against algorithm b on one environment ({@code env}) or over the environments both ran on
     * ({@code env} = {@value #ALL_ENVS}); the tests are null where a side has fewer than two runs (and always for
     * {@value #ALL_ENVS}).
     */
    public record Pair(String env, String a, String b, double difference, TwoSampleTests.Welch welch,
                       TwoSampleTests.MannWhitney mannWhitney, TwoSampleTests.Permutation permutation,
                       Rliable.Interval improvement) {
    }

    /** Name of the environment column for pairs aggregated over environments. */
    public static final String ALL_ENVS = "all";

    /** Everything on the page, and where it was written. */
    public record Comparison(List<RunScores> runs, List<GroupStats> groups, List<Aggregate> aggregates, List<Pair> pairs,
                             Path html) {
    }

    /**
     * Run directories to compare: each path that is a run (has config.json) as it is, and for a path that is not, the
     * runs directly inside it (so {@code runs/} stands for {@code runs/a runs/b ...}), in name order.
     *
     * @throws IllegalArgumentException for a path that is neither a run nor a directory holding runs
     */
    public static List<Path> expand(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isRegularFile(p.resolve("config.json"))) {
                out.add(p);
                continue;
            }
            List<Path> inside = List.of();
            if (Files.isDirectory(p)) {
                try (Stream<Path> children = Files.list(p)) {
                    inside = children.filter(c -> Files.isRegularFile(c.resolve("config.json"))).sorted().toList();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + p + ": " + e.getMessage(), e);
                }
            }
            if (inside.isEmpty()) {
                throw new IllegalArgumentException("not a run directory (no config.json), nor a directory of runs: " + p);
            }
            out.addAll(inside);
        }
        return out;
    }

    /** Loads the runs, computes the statistics and writes {@code outDir/report.html}, curves and comparison.json. */
    public static Comparison write(List<Path> runDirs, Path outDir, Settings settings) {
        if (runDirs.isEmpty()) {
            throw new IllegalArgumentException("no runs to compare");
        }
        List<RunScores> runs = runDirs.stream().map(RunScores::load).toList();
        Rng root = new Rng(settings.seed());
        Map<String, Map<String, List<RunScores>>> byEnv = new TreeMap<>();
        for (RunScores r : runs) {
            byEnv.computeIfAbsent(r.env(), k -> new TreeMap<>()).computeIfAbsent(r.algo(), k -> new ArrayList<>()).add(r);
        }
        List<GroupStats> groups = new ArrayList<>();
        List<Pair> pairs = new ArrayList<>();
        Map<String, Path> charts = new LinkedHashMap<>();
        for (var env : byEnv.entrySet()) {
            List<GroupStats> envGroups = new ArrayList<>();
            for (var algo : env.getValue().entrySet()) {
                envGroups.add(groupStats(env.getKey(), algo.getKey(), algo.getValue(), settings, root));
            }
            groups.addAll(envGroups);
            for (int i = 0; i < envGroups.size(); i++) {
                for (int j = i + 1; j < envGroups.size(); j++) {
                    pairs.add(pair(envGroups.get(i), envGroups.get(j), settings, root));
                }
            }
            Path png = outDir.resolve("curves-" + env.getKey().replaceAll("[^-_.A-Za-z0-9]", "_") + ".png");
            plotCurves(env.getKey(), env.getValue(), png);
            charts.put(env.getKey(), png);
        }
        List<Aggregate> aggregates = new ArrayList<>();
        if (byEnv.size() > 1) {
            Map<String, List<GroupStats>> byAlgo = new TreeMap<>();
            groups.forEach(g -> byAlgo.computeIfAbsent(g.algo(), k -> new ArrayList<>()).add(g));
            byAlgo.forEach((algo, gs) -> aggregates.add(aggregate(algo, gs, settings, root)));
            List<String> algos = new ArrayList<>(byAlgo.keySet());
            for (int i = 0; i < algos.size(); i++) {
                for (int j = i + 1; j < algos.size(); j++) {
                    Pair p = acrossEnvs(byAlgo.get(algos.get(i)), byAlgo.get(algos.get(j)), settings, root);
                    if (p != null) {
                        pairs.add(p);
                    }
                }
            }
        }
        Path html = outDir.resolve("report.html");
        Comparison c = new Comparison(runs, groups, aggregates, pairs, html);
        AtomicFiles.writeString(html, Html.page("Comparison of " + runs.size() + " runs", body(c, charts, settings)));
        AtomicFiles.writeString(outDir.resolve("comparison.json"), Json.pretty(jsonOf(c, settings)) + "\n");
        return c;
    }

    private static GroupStats groupStats(String env, String algo, List<RunScores> runs, Settings s, Rng root) {
        double[] scores = runs.stream().mapToDouble(RunScores::finalScore).toArray();
        double[][] oneTask = {scores};
        String key = env + "/" + algo + "/";
        return new GroupStats(env, algo, runs, scores,
                Rliable.stratifiedBootstrap(oneTask, Rliable.Aggregate.MEAN, s.resamples(), s.confidence(), root.split(key + "mean")),
                Rliable.stratifiedBootstrap(oneTask, Rliable.Aggregate.IQM, s.resamples(), s.confidence(), root.split(key + "iqm")),
                Stats.std(scores));
    }

    private static Pair pair(GroupStats a, GroupStats b, Settings s, Rng root) {
        boolean testable = a.scores().length >= 2 && b.scores().length >= 2;
        String key = a.env() + "/" + a.algo() + "/" + b.algo() + "/";
        return new Pair(a.env(), a.algo(), b.algo(), Stats.mean(a.scores()) - Stats.mean(b.scores()),
                testable ? TwoSampleTests.welch(a.scores(), b.scores()) : null,
                testable ? TwoSampleTests.mannWhitney(a.scores(), b.scores()) : null,
                testable ? TwoSampleTests.permutation(a.scores(), b.scores(), root.split(key + "permutation")) : null,
                Rliable.probabilityOfImprovement(new double[][] {a.scores()}, new double[][] {b.scores()}, s.resamples(),
                        s.confidence(), root.split(key + "improvement")));
    }

    private static Aggregate aggregate(String algo, List<GroupStats> groups, Settings s, Rng root) {
        double[][] byTask = groups.stream().map(GroupStats::scores).toArray(double[][]::new);
        String key = ALL_ENVS + "/" + algo + "/";
        return new Aggregate(algo, groups.stream().map(GroupStats::env).toList(),
                groups.stream().mapToInt(g -> g.scores().length).sum(),
                Rliable.stratifiedBootstrap(byTask, Rliable.Aggregate.MEAN, s.resamples(), s.confidence(), root.split(key + "mean")),
                Rliable.stratifiedBootstrap(byTask, Rliable.Aggregate.MEDIAN, s.resamples(), s.confidence(), root.split(key + "median")),
                Rliable.stratifiedBootstrap(byTask, Rliable.Aggregate.IQM, s.resamples(), s.confidence(), root.split(key + "iqm")));
    }

    /** P(A > B) over the environments both algorithms ran on; null when they share fewer than two. */
    private static Pair acrossEnvs(List<GroupStats> a, List<GroupStats> b, Settings s, Rng root) {
        Map<String, double[]> bByEnv = b.stream().collect(Collectors.toMap(GroupStats::env, GroupStats::scores));
        List<double[]> xa = new ArrayList<>(), xb = new ArrayList<>();
        for (GroupStats g : a) {
            if (bByEnv.containsKey(g.env())) {
                xa.add(g.scores());
                xb.add(bByEnv.get(g.env()));
            }
        }
        if (xa.size() < 2) {
            return null;
        }
        double[][] x = xa.toArray(double[][]::new), y = xb.toArray(double[][]::new);
        String key = ALL_ENVS + "/" + a.getFirst().algo() + "/" + b.getFirst().algo() + "/improvement";
        return new Pair(ALL_ENVS, a.getFirst().algo(), b.getFirst().algo(), Rliable.mean(x) - Rliable.mean(y), null, null, null,
                Rliable.probabilityOfImprovement(x, y, s.resamples(), s.confidence(), root.split(key)));
    }

    /** Mean curve per algorithm with a 95% t-interval band where two or more seeds evaluated at a step. */
    static void plotCurves(String env, Map<String, List<RunScores>> byAlgo, Path png) {
        XYChart chart = new XYChartBuilder().width(760).height(440).title(env + ": " + SCORE_METRIC + " during training")
                .xAxisTitle("step").yAxisTitle(SCORE_METRIC).build();
        chart.getStyler().setMarkerSize(4).setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        int colour = 0;
        boolean any = false;
        for (var algo : byAlgo.entrySet()) {
            Color c = PALETTE[colour++ % PALETTE.length];
            TreeMap<Long, List<Double>> atStep = new TreeMap<>();
            for (RunScores r : algo.getValue()) {
                r.curve().forEach((step, v) -> atStep.computeIfAbsent(step, k -> new ArrayList<>()).add(v));
            }
            if (atStep.isEmpty()) {
                continue;
            }
            int n = atStep.size();
            double[] x = new double[n], mean = new double[n], half = new double[n];
            int i = 0;
            boolean band = false;
            for (var e : atStep.entrySet()) {
                double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
                x[i] = e.getKey();
                mean[i] = Stats.mean(v);
                half[i] = v.length >= 2 ? Stats.ci95HalfWidth(v) : 0;
                band |= v.length >= 2;
                i++;
            }
            if (band) {
                double[] px = new double[2 * n], py = new double[2 * n];
                for (int k = 0; k < n; k++) {
                    px[k] = x[k];
                    py[k] = mean[k] + half[k];
                    px[2 * n - 1 - k] = x[k];
                    py[2 * n - 1 - k] = mean[k] - half[k];
                }
                XYSeries area = chart.addSeries(algo.getKey() + " 95% CI", px, py);
                area.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                area.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
                area.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 0));
                area.setMarker(SeriesMarkers.NONE);
                area.setShowInLegend(false);
            }
            XYSeries line = chart.addSeries(algo.getKey() + " (" + algo.getValue().size() + " runs)", x, mean);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(c);
            line.setMarkerColor(c);
            line.setMarker(SeriesMarkers.CIRCLE);
            any = true;
        }
        if (!any) {
            chart.addSeries("no evaluations logged", new double[] {0}, new double[] {0});
        }
        Charts.save(chart, png);
    }

    private static String body(Comparison c, Map<String, Path> charts, Settings s) {
        String level = Math.round(s.confidence() * 100) + "%";
        StringBuilder b = new StringBuilder();
        Map<String, List<GroupStats>> byEnv = new TreeMap<>();
        c.groups().forEach(g -> byEnv.computeIfAbsent(g.env(), k -> new ArrayList<>()).add(g));
        b.append("<p class=\"note\">Runs are grouped by the <code>env</code> and <code>algo</code> of their config.json. ")
                .append("Final score: <code>").append(FINAL_SCORE).append("</code> of summary.json (the last evaluation if ")
                .append("missing). Intervals of the mean and the interquartile mean (IQM) are ").append(level)
                .append(" percentile stratified-bootstrap intervals (").append(s.resamples()).append(" replicates, seed ")
                .append(s.seed()).append("; Agarwal et al. 2021). Curves show the mean over seeds with a ").append("95% Student-t ")
                .append("band. Tests are two-sided; P(A &gt; B) is the probability that a run of A scores higher than a run ")
                .append("of B (ties count half).</p>\n");
        for (var env : byEnv.entrySet()) {
            b.append("<h2>").append(Html.escape(env.getKey())).append("</h2>\n");
            b.append(Html.embeddedPng(charts.get(env.getKey()), env.getKey() + " learning curves"));
            List<List<String>> rows = new ArrayList<>();
            for (GroupStats g : env.getValue()) {
                StringBuilder per = new StringBuilder();
                for (RunScores r : g.runs()) {
                    per.append(per.isEmpty() ? "" : ", ").append("seed ").append(r.seed()).append(": ").append(Html.fixed(r.finalScore()));
                }
                rows.add(List.of(g.algo(), Integer.toString(g.scores().length), Html.fixed(g.mean().estimate()), ci(g.mean()),
                        Html.fixed(g.iqm().estimate()), ci(g.iqm()), Html.fixed(g.std()), per.toString()));
            }
            b.append("<h3>Final normalised score</h3>\n").append(Html.table(List.of("algorithm", "runs", "mean", level + " CI",
                    "IQM", level + " CI", "std", "per run"), rows));
            List<Pair> envPairs = c.pairs().stream().filter(p -> p.env().equals(env.getKey())).toList();
            if (!envPairs.isEmpty()) {
                b.append("<h3>Pairwise comparisons</h3>\n").append(pairTable(envPairs, level));
            }
        }
        if (!c.aggregates().isEmpty()) {
            b.append("<h2>Across environments</h2>\n<p class=\"note\">Runs x tasks: mean and median of the per-environment ")
                    .append("means, IQM of all final scores, each with a stratified-bootstrap interval (runs resampled within ")
                    .append("each environment). Comparable across algorithms only where they ran on the same environments.</p>\n");
            List<List<String>> rows = new ArrayList<>();
            for (Aggregate a : c.aggregates()) {
                rows.add(List.of(a.algo(), String.join(", ", a.envs()), Integer.toString(a.runs()), Html.fixed(a.mean().estimate()),
                        ci(a.mean()), Html.fixed(a.median().estimate()), ci(a.median()), Html.fixed(a.iqm().estimate()), ci(a.iqm())));
            }
            b.append(Html.table(List.of("algorithm", "environments", "runs", "mean", level + " CI", "median", level + " CI", "IQM",
                    level + " CI"), rows));
            List<Pair> across = c.pairs().stream().filter(p -> p.env().equals(ALL_ENVS)).toList();
            if (!across.isEmpty()) {
                List<List<String>> pr = new ArrayList<>();
                for (Pair p : across) {
                    pr.add(List.of(p.a(), p.b(), Html.fixed(p.difference()), Html.p(p.improvement().estimate()), ci3(p.improvement())));
                }
                b.append("<h3>Probability of improvement over shared environments</h3>\n")
                        .append(Html.table(List.of("A", "B", "mean A - B", "P(A > B)", level + " CI"), pr));
            }
        }
        b.append("<h2>Runs</h2>\n");
        List<List<String>> runRows = new ArrayList<>();
        c.runs().stream().sorted(Comparator.comparing(RunScores::env).thenComparing(RunScores::algo)
                .thenComparing(r -> r.dir().toString())).forEach(r -> runRows.add(List.of(r.dir().toString(), r.env(), r.algo(),
                r.seed(), Html.fixed(r.finalScore()), Integer.toString(r.curve().size()))));
        b.append(Html.table(List.of("run", "env", "algo", "seed", "final score", "evaluations"), runRows));
        return b.toString();
    }

    private static String pairTable(List<Pair> pairs, String level) {
        List<List<String>> rows = new ArrayList<>();
        for (Pair p : pairs) {
            TwoSampleTests.Welch w = p.welch();
            TwoSampleTests.MannWhitney m = p.mannWhitney();
            TwoSampleTests.Permutation perm = p.permutation();
            rows.add(List.of(p.a(), p.b(), Html.fixed(p.difference()),
                    w == null ? "n/a" : Html.fixed(w.t()), w == null ? "n/a" : Html.fixed(w.df()), w == null ? "n/a" : Html.p(w.pValue()),
                    m == null ? "n/a" : Html.fixed(m.u()), m == null ? "n/a" : Html.p(m.pValue()) + (m.exact() ? " (exact)" : " (normal)"),
                    perm == null ? "n/a" : Html.p(perm.pValue()) + (perm.exact() ? " (exact)" : " (" + perm.permutations() + " draws)"),
                    Html.p(p.improvement().estimate()), ci3(p.improvement())));
        }
        return Html.table(List.of("A", "B", "mean A - B", "Welch t", "df", "Welch p", "Mann-Whitney U", "Mann-Whitney p",
                "permutation p", "P(A > B)", level + " CI"), rows)
                + "<p class=\"note\">Tests need two or more runs on each side (n/a otherwise).</p>\n";
    }

    private static String ci(Rliable.Interval i) {
        return "[" + Html.fixed(i.lo()) + ", " + Html.fixed(i.hi()) + "]";
    }

    private static String ci3(Rliable.Interval i) {
        return "[" + Html.p(i.lo()) + ", " + Html.p(i.hi()) + "]";
    }

    private static Map<String, Object> jsonOf(Comparison c, Settings s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("settings", entries("resamples", s.resamples(), "confidence", s.confidence(), "seed", s.seed()));
        List<Map<String, Object>> groups = new ArrayList<>();
        for (GroupStats g : c.groups()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("env", g.env());
            m.put("algo", g.algo());
            m.put("runs", g.runs().stream().map(r -> r.dir().toString()).toList());
            m.put("scores", g.scores());
            m.put("mean", interval(g.mean()));
            m.put("iqm", interval(g.iqm()));
            m.put("std", finite(g.std()));
            groups.add(m);
        }
        out.put("groups", groups);
        List<Map<String, Object>> aggregates = new ArrayList<>();
        for (Aggregate a : c.aggregates()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("algo", a.algo());
            m.put("envs", a.envs());
            m.put("runs", a.runs());
            m.put("mean", interval(a.mean()));
            m.put("median", interval(a.median()));
            m.put("iqm", interval(a.iqm()));
            aggregates.add(m);
        }
        out.put("aggregates", aggregates);
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (Pair p : c.pairs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("env", p.env());
            m.put("a", p.a());
            m.put("b", p.b());
            m.put("difference", finite(p.difference()));
            if (p.welch() != null) {
                m.put("welch", entries("t", finite(p.welch().t()), "df", finite(p.welch().df()), "p", finite(p.welch().pValue())));
                m.put("mann_whitney", entries("u", p.mannWhitney().u(), "p", p.mannWhitney().pValue(), "exact",
                        p.mannWhitney().exact()));
                m.put("permutation", entries("p", p.permutation().pValue(), "exact", p.permutation().exact(), "permutations",
                        p.permutation().permutations()));
            }
            m.put("probability_of_improvement", interval(p.improvement()));
            pairs.add(m);
        }
        out.put("pairs", pairs);
        return out;
    }

    private static Map<String, Object> interval(Rliable.Interval i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimate", i.estimate());
        m.put("lo", i.lo());
        m.put("hi", i.hi());
        return m;
    }

    /** NaN and infinities become JSON null. */
    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    /** An ordered map of alternating keys and values (values may be null, unlike Map.of). */
    private static Map<String, Object> entries(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

}
