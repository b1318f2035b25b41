package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PPO-max experiment's report from given run numbers: tables, plot and a verdict that follows the numbers. */
class PpoMaxReportTest {
    @TempDir
    Path dir;

    private static PpoMaxExperiment.RunNumbers run(String variant, long seed, double gold, int collapses) {
        TreeMap<Integer, double[]> curve = new TreeMap<>();
        for (int i = 1; i <= 5; i++) {
            curve.put(i, new double[] {gold * i / 5, 0.1 * i});
        }
        return new PpoMaxExperiment.RunNumbers(variant, seed, gold, gold / 2, 0.5, 0.3, gold, 0.02, collapses, 40, 60, curve);
    }

    @Test
    void reportHasTablesPlotAndVerdict() throws Exception {
        Path rm = dir.resolve("rm");
        Files.createDirectories(rm);
        Files.writeString(rm.resolve("summary.json"), "{\"final_evaluation\":{\"heldout_accuracy\":0.8,\"heldout_oracle_label_accuracy\":0.93}}");
        PpoMaxExperiment.Settings s = new PpoMaxExperiment.Settings(List.of("ppo-max", "vanilla"), 3, 0, 5, "oracle", List.of(),
                dir.resolve("runs"), dir.resolve("ppo-max.md"), "standard");
        List<PpoMaxExperiment.RunNumbers> runs = List.of(run("ppo-max", 0, 0.80, 0), run("ppo-max", 1, 0.82, 0), run("ppo-max", 2, 0.81, 0),
                run("vanilla", 0, 0.50, 2), run("vanilla", 1, 0.52, 1), run("vanilla", 2, 0.49, 3));
        PpoMaxExperiment.writeReport(s, dir.resolve("base"), rm, Map.of("gold_reward.in-distribution", 0.6,
                "solve_rate.in-distribution", 0.3), runs, 1.0);
        String md = Files.readString(dir.resolve("ppo-max.md"));
        assertTrue(md.contains("| vanilla |"), md);
        assertTrue(md.contains("improved (interval above SFT)"), md);
        assertTrue(md.contains("vanilla: gold reward 0.503") && md.contains("this trick matters here"), md);
        assertTrue(Files.size(dir.resolve("ppo-max-curves.png")) > 1000);
        assertThrows(IllegalArgumentException.class, () -> new PpoMaxExperiment.Settings(List.of("ppo-min"), 3, 0, 5, "oracle",
                List.of(), dir, dir.resolve("x.md"), "standard"));
    }
}
