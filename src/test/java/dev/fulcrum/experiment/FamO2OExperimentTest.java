package dev.fulcrum.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FamO2O claim experiment end to end on a toy budget: both algorithms run for every seed, and the report carries the
 * score tables, the Welch comparison, the verdict, the coefficient table per dataset part and both plots.
 */
class FamO2OExperimentTest {
    @TempDir
    Path dir;

    @Test
    void writesTheReportWithScoresVerdictAndCoefficients() throws Exception {
        Path report = dir.resolve("famo2o.md");
        var outcome = FamO2OExperiment.run(new FamO2OExperiment.Settings("pendulum", null, List.of("random", "expert"), 600, 2,
                40, 40, 40, 1, List.of("iql.hiddenSize=8", "batchSize=16"), dir.resolve("work"), report), false);
        assertEquals(List.of("iql", "famo2o"), List.copyOf(outcome.finalScores().keySet()));
        assertEquals(2, outcome.finalScores().get("famo2o").length);
        String md = Files.readString(report);
        for (String s : List.of("| iql |", "| famo2o |", "famo2o vs iql, final", "**Verdict: ", "| random |", "| expert |",
                "famo2o-curves.png", "famo2o-coefficients.png")) {
            assertTrue(md.contains(s), "report lacks " + s + ":\n" + md);
        }
        assertTrue(Files.size(dir.resolve("famo2o-coefficients.png")) > 0);
        assertTrue(Files.size(dir.resolve("famo2o-curves.png")) > 0);
    }
}
