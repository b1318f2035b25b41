package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.experiment.lm.RankingAccuracyExperiment.Diagnosed;
import dev.fulcrum.experiment.lm.RankingAccuracyExperiment.Measured;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.iterative.OnPolicyPairs;
import dev.fulcrum.lm.task.TaskSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verdicts and the report of the ranking-accuracy experiment on made-up measurements (the experiment itself is a CLI run). */
class RankingAccuracyExperimentTest {
    @TempDir
    Path dir;

    private static Measured dpo(long seed, int flipped, double accuracy, double win) {
        Diagnosed d = new Diagnosed(accuracy, accuracy + 0.05, 0.9, 0.9 - accuracy, 0.5, 100, flipped, 100, 3);
        return new Measured("sigmoid-seed" + seed, "sigmoid", seed, d, d, win, win - 0.05, win + 0.05, 0.4, 100, 2.0);
    }

    private static Measured sft() {
        Diagnosed d = new Diagnosed(0.5, 0.55, 0.9, 0.4, 0.5, 100, 0, 100, 0);
        return new Measured("sft", "-", -1, d, d, 0.5, 0.5, 0.5, 0.3, 0, 0);
    }

    @Test
    void verdictsFollowTheNumbers() {
        List<String> v = RankingAccuracyExperiment.verdicts(List.of(sft(), dpo(0, 4, 0.55, 0.60), dpo(1, 5, 0.56, 0.62),
                dpo(2, 6, 0.54, 0.61)), "sigmoid");
        assertEquals(3, v.size());
        assertTrue(v.get(0).startsWith("(a) sigmoid flips 5.0% ± 2.5") && v.get(0).contains(": held"), v.get(0));
        assertTrue(v.get(1).contains("0.350 ± 0.025: held"), v.get(1));
        assertTrue(v.get(2).contains("0.610 ± 0.025: held (DPO beats SFT)"), v.get(2));

        v = RankingAccuracyExperiment.verdicts(List.of(sft(), dpo(0, 30, 0.88, 0.45), dpo(1, 35, 0.86, 0.55), dpo(2, 25, 0.87, 0.50)),
                "sigmoid");
        assertTrue(v.get(0).contains("not held"), v.get(0));
        assertTrue(v.get(1).contains("not held"), v.get(1));
        assertTrue(v.get(2).contains("not held (no significant difference)"), v.get(2));
    }

    /** A further loss gets the win-rate verdict per pair source. */
    @Test
    void furtherLossesGetTheWinRateVerdict() {
        Diagnosed d = new Diagnosed(0.8, 0.8, 0.9, 0.1, 0.8, 10, 1, 90, 1);
        List<Measured> models = List.of(sft(),
                new Measured("rpo-on-policy-seed0", "rpo", 0, d, d, 0.56, 0.53, 0.59, 0.8, 10, 1, "on-policy", List.of()),
                new Measured("rpo-on-policy-seed1", "rpo", 1, d, d, 0.58, 0.55, 0.61, 0.8, 10, 1, "on-policy", List.of()));
        List<String> v = RankingAccuracyExperiment.winVerdicts(models, "rpo");
        assertEquals(1, v.size());
        assertTrue(v.getFirst().startsWith("(c) rpo on on-policy pairs's oracle win rate against SFT on held-in problems 0.570 ± 0.127"),
                v.getFirst());
        assertTrue(v.getFirst().endsWith("not held (no significant difference)"), v.getFirst());
    }

    @Test
    void reportHasTablesChartAndVerdicts() throws Exception {
        Path report = dir.resolve("ranking-accuracy.md");
        var settings = new RankingAccuracyExperiment.Settings(3, List.of("sigmoid"), 40, 8, 1, 200, 16, 1e-4, 20, 400, List.of(),
                dir.resolve("work"), report, BaseSft.Spec.smoke());
        List<Measured> models = List.of(sft(), dpo(0, 4, 0.55, 0.60), dpo(1, 5, 0.56, 0.62), dpo(2, 6, 0.54, 0.61));
        RankingAccuracyReport.write(settings, dir, models, RankingAccuracyExperiment.verdicts(models, "sigmoid"), 1000, 200, 400, 140, 12.5);
        String md = Files.readString(report);
        assertTrue(md.contains("| sigmoid | 0.550 ± 0.025 | 0.600 ± 0.025 | 0.900 ± 0.000 | 0.350 ± 0.025 | 0.550, 0.560, 0.540 |"), md);
        assertTrue(md.contains("| 0.050 ± 0.025 | 0.030 ± 0.000 |"), "flip shares: " + md);
        assertTrue(md.contains("0.600 [0.550, 0.650]; 0.620 [0.570, 0.670]"), md);
        assertTrue(md.contains("bin/fulcrum experiment ranking-accuracy --seeds 3 --losses sigmoid"), md);
        assertTrue(md.contains("* (c) sigmoid's oracle win rate"), md);
        assertTrue(Files.size(dir.resolve("ranking-accuracy.png")) > 1000);
    }

    /**
     * The smoke configuration end to end on the few-second base model: oracle and on-policy pairs, two seeds each; the
     * on-policy pairs come from problems past the held-out ones; the samples are stored with their settings and read back by
     * a second run.
     */
    @Test
    void onPolicySmokeRunsEndToEnd() throws Exception {
        Path report = dir.resolve("docs/ranking-accuracy-on-policy.md");
        var onPolicy = new RankingAccuracyExperiment.OnPolicy(new OnPolicyPairs.Settings(4, 1.0, 0.0, 0.0, 12, 1, 32), 2, 1, 1e-4);
        var settings = new RankingAccuracyExperiment.Settings(2, List.of("sigmoid"), 1, 1, 1, 2, 4, 1e-4, 1, 6,
                List.of("preference.klSamples=2", "preference.klMaxNewTokens=8"), dir.resolve("work"), report, BaseSft.Spec.smoke(),
                List.of("oracle", "on-policy"), onPolicy, 5, 77);
        RankingAccuracyExperiment.Outcome o = RankingAccuracyExperiment.run(settings, dir.resolve("cache"), false);
        assertEquals(2 + 2 * 2, o.models().size(), "an SFT row per pair source and two seeds per source");
        assertEquals(6, o.verdicts().size());
        assertTrue(o.verdicts().get(3).startsWith("(a) sigmoid on on-policy pairs flips"), o.verdicts().get(3));
        List<Measured> onPolicyRuns = o.models().stream().filter(m -> m.pairs().equals("on-policy") && !m.loss().equals("-")).toList();
        assertEquals(List.of(5L, 6L), onPolicyRuns.stream().map(Measured::seed).toList());
        for (Measured m : o.models()) {
            assertEquals(7, m.families().size(), m.model());
            assertTrue(m.winRateVsSft() >= 0 && m.winRateVsSft() <= 1 && m.meanGoldReward() >= 0 && m.meanGoldReward() <= 1, m.toString());
        }
        Path pairs = dir.resolve("work/data/on-policy.jsonl");
        List<PreferenceExample> rows = PreferenceJsonl.read(pairs);
        assertTrue(!rows.isEmpty() && rows.size() <= 14, "at most one pair per problem: " + rows.size());
        for (PreferenceExample r : rows) {
            assertTrue(r.extra().get("chosen_reward").asDouble() > r.extra().get("rejected_reward").asDouble(), r.toString());
            assertTrue(r.extra().get("p_chosen").asDouble() > 0.5, r.toString());
        }
        // the on-policy problems: index 0 (the oracle pairs' problem) and index 2 (past the held-out problem 1) of each family
        List<String> prompts = RankingAccuracyExperiment.onPolicyProblems(settings, List.of("arith-add")).stream()
                .map(dev.fulcrum.lm.task.Problem::prompt).toList();
        assertEquals(List.of(TaskSuite.problem("arith-add", 1, 0).prompt(), TaskSuite.problem("arith-add", 1, 2).prompt()), prompts);
        String md = Files.readString(report);
        assertTrue(md.contains("| sigmoid (on-policy pairs) |") && md.contains("| sft (on-policy pairs) |"), md);
        assertTrue(md.contains("### Per family") && md.contains("| arith-add |"), md);
        assertTrue(md.contains("--pairs oracle,on-policy --samples-per-prompt 4") && md.contains("--first-seed 5 --eval-seed 77"), md);
        assertTrue(md.contains("On-policy pairs (rows marked"), md);

        // a second run reads the samples and the finished runs back
        Path samples = dir.resolve("work/data/on-policy-samples.json");
        long modified = Files.getLastModifiedTime(samples).toMillis();
        RankingAccuracyExperiment.Outcome again = RankingAccuracyExperiment.run(settings, dir.resolve("cache"), false);
        assertEquals(modified, Files.getLastModifiedTime(samples).toMillis());
        assertEquals(rows, PreferenceJsonl.read(pairs));
        assertEquals(o.models().get(3).winRateVsSft(), again.models().get(3).winRateVsSft(), 1e-12);

        // the same models judged on sampled responses: nothing retrained, the report says how the responses were made
        var sampledSettings = new RankingAccuracyExperiment.Settings(2, List.of("sigmoid"), 1, 1, 1, 2, 4, 1e-4, 1, 6,
                settings.overrides(), dir.resolve("work"), report, BaseSft.Spec.smoke(), List.of("oracle", "on-policy"), onPolicy, 5, 77,
                0.8);
        RankingAccuracyExperiment.Outcome sampled = RankingAccuracyExperiment.run(sampledSettings, dir.resolve("cache"), false);
        assertEquals(modified, Files.getLastModifiedTime(samples).toMillis());
        assertEquals(o.models().size(), sampled.models().size());
        sampled.models().forEach(m -> assertTrue(m.winRateVsSft() >= 0 && m.winRateVsSft() <= 1, m.toString()));
        String sampledMd = Files.readString(report);
        assertTrue(sampledMd.contains("sampled at temperature 0.8") && sampledMd.contains("--eval-temperature 0.8"), sampledMd);
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new RankingAccuracyExperiment.Settings(0, List.of("sigmoid"), 40, 8, 1, 200,
                16, 1e-4, 20, 400, List.of(), dir, dir.resolve("r.md"), BaseSft.Spec.smoke()));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new RankingAccuracyExperiment.Settings(2,
                List.of("sigmoid"), 40, 8, 1, 200, 16, 1e-4, 20, 400, List.of(), dir, dir.resolve("r.md"), BaseSft.Spec.smoke(),
                List.of("self-play"), null, 0, 1));
        assertTrue(bad.getMessage().contains("pairs must be one or both of oracle, on-policy"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RankingAccuracyExperiment.Settings(2, List.of("sigmoid"), 40, 8, 1, 200,
                16, 1e-4, 20, 400, List.of(), dir, dir.resolve("r.md"), BaseSft.Spec.smoke(), List.of("on-policy"), null, 0, 1));
        IllegalArgumentException hot = assertThrows(IllegalArgumentException.class, () -> new RankingAccuracyExperiment.Settings(2,
                List.of("sigmoid"), 40, 8, 1, 200, 16, 1e-4, 20, 400, List.of(), dir, dir.resolve("r.md"), BaseSft.Spec.smoke(),
                List.of("oracle"), null, 0, 1, -0.5));
        assertTrue(hot.getMessage().contains("evalTemperature"), hot.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RankingAccuracyExperiment.lossSettings("kto"));
        assertTrue(e.getMessage().contains("unknown loss 'kto'"), e.getMessage());
    }
}
