package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.experiment.lm.RankingAccuracyExperiment.Diagnosed;
import dev.fulcrum.experiment.lm.RankingAccuracyExperiment.Measured;
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

    @Test
    void settingsNeedSeedsForIntervals() {
        assertThrows(IllegalArgumentException.class, () -> new RankingAccuracyExperiment.Settings(1, List.of("sigmoid"), 40, 8, 1, 200,
                16, 1e-4, 20, 400, List.of(), dir, dir.resolve("r.md"), BaseSft.Spec.smoke()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RankingAccuracyExperiment.lossSettings("kto"));
        assertTrue(e.getMessage().contains("unknown loss 'kto'"), e.getMessage());
    }
}
