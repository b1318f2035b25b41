package dev.fulcrum.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.core.stats.TwoSampleTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html of one run and the comparison page of several, on run directories fabricated here. */
class ReportsTest {
    @TempDir
    Path dir;

    /**
     * A run directory as the trainer leaves it: config.json, metrics.jsonl (train rows every 50 steps, eval rows every
     * 100 with a normalised score rising linearly to {@code finalScore}), summary.json.
     */
    static Path fabricate(Path root, String name, String algo, String env, int seed, double finalScore) throws IOException {
        Path run = Files.createDirectories(root.resolve(name));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("algo", algo);
        config.put("env", env);
        config.put("seed", seed);
        config.put("steps", 300);
        config.put("iql", Map.of("beta", 3.0, "expectile", 0.7));
        config.put("note", "<b>not markup</b>");
        Files.writeString(run.resolve("config.json"), Json.pretty(config));
        List<String> lines = new ArrayList<>();
        for (int step = 50; step <= 300; step += 50) {
            lines.add(String.format(Locale.ROOT, "{\"step\":%d,\"phase\":\"train\",\"loss\":%.3f}", step, 1.0 / step));
            if (step % 100 == 0) {
                lines.add(String.format(Locale.ROOT, "{\"step\":%d,\"phase\":\"eval\",\"normalised_score\":%s,\"return_mean\":%s}",
                        step, finalScore * step / 300, 10 * finalScore * step / 300));
            }
        }
        Files.write(run.resolve("metrics.jsonl"), lines);
        Files.writeString(run.resolve("summary.json"), Json.pretty(Map.of("algo", algo, "env", env, "seed", seed,
                ComparisonReport.FINAL_SCORE, finalScore, "final_return_mean", 10 * finalScore)));
        return run;
    }

    @Test
    void singleRunGetsASelfContainedHtmlReport() throws IOException {
        Path run = fabricate(dir, "iql-seed0", "iql", "pendulum", 0, 87.5);
        RunReport.write(RunDirectory.open(run));
        assertTrue(Files.isRegularFile(run.resolve("report.md")), "report.md is still written");
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, 40));
        assertTrue(html.contains("Final normalised score: <b>87.50</b> (mean return 875.00)"), "headline score");
        assertTrue(html.contains("algorithm <b>iql</b> &middot; environment <b>pendulum</b> &middot; seed 0"));
        assertEquals(2, count(html, "src=\"data:image/png;base64,iVBORw0KGgo"), "train and eval curves embedded as PNG");
        assertTrue(html.contains("<td>iql.beta</td><td class=\"num\">3.0</td>"), "configuration, flattened");
        assertTrue(html.contains("<td>" + ComparisonReport.FINAL_SCORE + "</td><td class=\"num\">87.5</td>"), "summary");
        assertTrue(html.contains("&lt;b&gt;not markup&lt;/b&gt;") && !html.contains("<b>not markup</b>"), "text is escaped");
    }

    @Test
    void comparisonPageHasCurvesMeansIqmsAndTests() throws IOException {
        Path runs = Files.createDirectories(dir.resolve("runs"));
        List<Path> dirs = new ArrayList<>();
        double[] iqlPendulum = {70, 80, 90, 120}, bcPendulum = {50, 55, 60, 65}, iqlGoal = {40, 50, 60}, bcGoal = {10, 20, 30};
        for (int s = 0; s < 4; s++) {
            dirs.add(fabricate(runs, "iql-pendulum-" + s, "iql", "pendulum", s, iqlPendulum[s]));
            dirs.add(fabricate(runs, "bc-pendulum-" + s, "bc", "pendulum", s, bcPendulum[s]));
        }
        for (int s = 0; s < 3; s++) {
            dirs.add(fabricate(runs, "iql-goal-" + s, "iql", "pointgoal", s, iqlGoal[s]));
            dirs.add(fabricate(runs, "bc-goal-" + s, "bc", "pointgoal", s, bcGoal[s]));
        }
        Path out = dir.resolve("cmp");
        ComparisonReport.Comparison c = ComparisonReport.write(dirs, out, new ComparisonReport.Settings(4000, 0.95, 1));
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(Files.isRegularFile(out.resolve("curves-pendulum.png")));
        assertTrue(Files.isRegularFile(out.resolve("curves-pointgoal.png")));
        assertEquals(2, count(html, "src=\"data:image/png;base64,iVBORw0KGgo"), "one curve chart per environment, embedded");
        assertTrue(html.contains("<h1>Comparison of 14 runs</h1>"));

        // pendulum, iql: mean 90; IQM of 70 80 90 120 = (80 + 90)/2 = 85; bc: mean and IQM 57.5
        GroupCheck iql = group(c, "pendulum", "iql"), bc = group(c, "pendulum", "bc");
        assertEquals(90, iql.g.mean().estimate(), 1e-12);
        assertEquals(85, iql.g.iqm().estimate(), 1e-12);
        assertEquals(57.5, bc.g.mean().estimate(), 1e-12);
        assertTrue(html.contains(row("iql", "4", "90.00", ci(iql.g.mean()), "85.00", ci(iql.g.iqm()))), "iql row");
        assertTrue(html.contains(row("bc", "4", "57.50", ci(bc.g.mean()), "57.50", ci(bc.g.iqm()))), "bc row");
        assertTrue(iql.g.mean().lo() >= 70 && iql.g.mean().hi() <= 120 && iql.g.mean().lo() < 90 && iql.g.mean().hi() > 90);
        assertTrue(html.contains("seed 0: 70.00, seed 1: 80.00, seed 2: 90.00, seed 3: 120.00"));

        // bc vs iql on pendulum: every iql run beats every bc run: U = 0, and of the C(8, 4) = 70 relabellings only the
        // observed split and its mirror are as extreme, so the exact Mann-Whitney and permutation p are both 2/70
        ComparisonReport.Pair p = c.pairs().stream().filter(x -> x.env().equals("pendulum")).findFirst().orElseThrow();
        assertEquals("bc", p.a());
        assertEquals("iql", p.b());
        assertEquals(-32.5, p.difference(), 1e-12);
        assertEquals(0, p.mannWhitney().u(), 0);
        assertEquals(2.0 / 70, p.mannWhitney().pValue(), 1e-12);
        assertEquals(2.0 / 70, p.permutation().pValue(), 1e-12);
        assertEquals(0, p.improvement().estimate(), 0);
        // Welch by hand: variances 125/3 and 1400/3, se^2 = (125/3 + 1400/3)/4
        double t = -32.5 / Math.sqrt((125.0 / 3 + 1400.0 / 3) / 4);
        assertEquals(t, p.welch().t(), 1e-9);
        TwoSampleTests.Welch w = TwoSampleTests.welch(bcPendulum, iqlPendulum);
        assertTrue(html.contains("<td>bc</td><td>iql</td><td class=\"num\">-32.50</td><td class=\"num\">" + Html.fixed(t)
                + "</td><td class=\"num\">" + Html.fixed(w.df()) + "</td><td class=\"num\">" + Html.p(w.pValue())
                + "</td><td class=\"num\">0.00</td><td>0.0286 (exact)</td><td>0.0286 (exact)</td><td class=\"num\">0.00</td>"),
                "pairwise row");

        // across environments: iql task means 90 and 50 -> mean = median = 70; IQM of 40 50 60 70 80 90 120 (n = 7,
        // fractional quartile weights 1/4 on 50 and 90) = (12.5 + 60 + 70 + 80 + 22.5)/3.5 = 70;
        // bc: task means 57.5 and 20 -> 38.75; IQM of 10 20 30 50 55 60 65 = (5 + 30 + 50 + 55 + 15)/3.5 = 44.29
        ComparisonReport.Aggregate aggIql = c.aggregates().stream().filter(a -> a.algo().equals("iql")).findFirst().orElseThrow();
        ComparisonReport.Aggregate aggBc = c.aggregates().stream().filter(a -> a.algo().equals("bc")).findFirst().orElseThrow();
        assertEquals(70, aggIql.mean().estimate(), 1e-12);
        assertEquals(70, aggIql.median().estimate(), 1e-12);
        assertEquals(70, aggIql.iqm().estimate(), 1e-12);
        assertEquals(38.75, aggBc.mean().estimate(), 1e-12);
        assertEquals(155 / 3.5, aggBc.iqm().estimate(), 1e-12);
        assertTrue(html.contains("<td>bc</td><td>pendulum, pointgoal</td><td class=\"num\">7</td><td class=\"num\">38.75</td>"));
        assertTrue(html.contains("<td class=\"num\">44.29</td>"));
        ComparisonReport.Pair across = c.pairs().stream().filter(x -> x.env().equals(ComparisonReport.ALL_ENVS)).findFirst()
                .orElseThrow();
        assertEquals(0, across.improvement().estimate(), 0);
        assertNull(across.welch());

        JsonNode json = Json.COMPACT.readTree(out.resolve("comparison.json").toFile());
        assertEquals(4, json.get("groups").size());
        assertEquals(2.0 / 70, json.get("pairs").get(0).get("permutation").get("p").asDouble(), 1e-12);

        // the same seed gives the same page
        ComparisonReport.write(dirs, dir.resolve("cmp2"), new ComparisonReport.Settings(4000, 0.95, 1));
        assertEquals(html, Files.readString(dir.resolve("cmp2").resolve("report.html")));
    }

    @Test
    void singleRunsPerGroupGetNoTests() throws IOException {
        List<Path> dirs = List.of(fabricate(dir, "a", "iql", "pendulum", 0, 50), fabricate(dir, "b", "td3bc", "pendulum", 0, 40));
        ComparisonReport.Comparison c = ComparisonReport.write(dirs, dir.resolve("out"), ComparisonReport.Settings.defaults());
        ComparisonReport.Pair p = c.pairs().getFirst();
        assertNull(p.welch());
        assertEquals(1, p.improvement().estimate(), 0);
        String html = Files.readString(dir.resolve("out").resolve("report.html"));
        assertTrue(html.contains("<td>iql</td><td>td3bc</td><td class=\"num\">10.00</td><td class=\"num\">n/a</td>"), "n/a tests");
        assertFalse(html.contains("Across environments"));
    }

    @Test
    void badRunDirectoriesAreNamed() throws IOException {
        Path noAlgo = fabricate(dir, "noalgo", "iql", "pendulum", 0, 1);
        Files.writeString(noAlgo.resolve("config.json"), "{\"env\": \"pendulum\"}");
        String msg = assertThrows(IllegalArgumentException.class, () -> RunScores.load(noAlgo)).getMessage();
        assertEquals(noAlgo.resolve("config.json") + ": field 'algo' is missing (runs are grouped by algo and env)", msg);

        Path noScore = fabricate(dir, "noscore", "iql", "pendulum", 0, 1);
        Files.delete(noScore.resolve("summary.json"));
        assertEquals(1.0, RunScores.load(noScore).finalScore(), 1e-12, "falls back to the last evaluation");
        Files.writeString(noScore.resolve("metrics.jsonl"), "{\"step\":1,\"phase\":\"train\",\"loss\":1}\n");
        msg = assertThrows(IllegalArgumentException.class, () -> RunScores.load(noScore)).getMessage();
        assertTrue(msg.contains("no final score (field '" + ComparisonReport.FINAL_SCORE + "' missing, and metrics.jsonl has no "
                + "eval rows with '" + ComparisonReport.SCORE_METRIC + "')"), msg);

        Path broken = fabricate(dir, "broken", "iql", "pendulum", 0, 1);
        Files.writeString(broken.resolve("summary.json"), "{\"final_normalised_score\": ");
        msg = assertThrows(IllegalArgumentException.class, () -> RunScores.load(broken)).getMessage();
        assertTrue(msg.startsWith(broken.resolve("summary.json") + ": not valid JSON"), msg);

        Path empty = Files.createDirectories(dir.resolve("empty"));
        msg = assertThrows(IllegalArgumentException.class, () -> ComparisonReport.expand(List.of(empty))).getMessage();
        assertEquals("not a run directory (no config.json), nor a directory of runs: " + empty, msg);
        assertEquals(List.of(broken, noAlgo, noScore), ComparisonReport.expand(List.of(dir)), "runs inside, in name order");
    }

    private record GroupCheck(ComparisonReport.GroupStats g) {
    }

    private static GroupCheck group(ComparisonReport.Comparison c, String env, String algo) {
        return new GroupCheck(c.groups().stream().filter(g -> g.env().equals(env) && g.algo().equals(algo)).findFirst()
                .orElseThrow());
    }

    private static String row(String algo, String runs, String mean, String meanCi, String iqm, String iqmCi) {
        return "<td>" + algo + "</td><td class=\"num\">" + runs + "</td><td class=\"num\">" + mean + "</td><td>" + meanCi
                + "</td><td class=\"num\">" + iqm + "</td><td>" + iqmCi + "</td>";
    }

    private static String ci(dev.fulcrum.core.stats.Rliable.Interval i) {
        return "[" + Html.fixed(i.lo()) + ", " + Html.fixed(i.hi()) + "]";
    }

    private static int count(String text, String fragment) {
        int n = 0;
        for (int i = text.indexOf(fragment); i >= 0; i = text.indexOf(fragment, i + 1)) {
            n++;
        }
        return n;
    }
}
