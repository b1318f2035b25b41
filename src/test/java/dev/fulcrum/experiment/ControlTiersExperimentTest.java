package dev.fulcrum.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.rng.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance-table experiment end to end at toy size: runs, reuse of finished runs, report, clear errors. */
class ControlTiersExperimentTest {

    private static ControlTiersExperiment.Settings settings(Path dir, boolean reportOnly) {
        return new ControlTiersExperiment.Settings(List.of("pendulum"), List.of("medium", "medium-replay"), List.of("bc", "iql"),
                2, 20, 10, 1, dir.resolve("tiers").toString(), List.of("batchSize=32", "iql.hiddenSize=16",
                "bc.hiddenSize=16"), dir.resolve("work"), dir.resolve("report.md"), reportOnly, "test");
    }

    @Test
    void trainsEveryCellReusesFinishedRunsAndWritesTheTable(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("tiers"));
        var env = EnvRegistry.make("pendulum");
        for (String tier : List.of("medium", "medium-replay")) {
            D4rlHdf5.write(Collector.collect(env, BehaviourPolicies.forEnv("pendulum", "medium"), 400, new Rng(1),
                    Map.of("tier", tier)), dir.resolve("tiers").resolve("pendulum-" + tier + ".hdf5"));
        }
        var first = ControlTiersExperiment.run(settings(dir, false), false);
        double[] iqlMedium = first.scores().get("pendulum").get("medium").get("iql");
        assertEquals(2, iqlMedium.length);
        assertTrue(Files.isRegularFile(dir.resolve("work/pendulum/medium-replay/bc-seed1/summary.json")));

        var again = ControlTiersExperiment.run(settings(dir, true), false); // reads the finished runs, trains nothing
        assertArrayEquals(iqlMedium, again.scores().get("pendulum").get("medium").get("iql"), 0.0);
        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("| pendulum-medium-replay |"), report);
        assertTrue(report.contains("iql vs bc"), report);
        assertTrue(report.contains("| bc |") && report.contains("IQM"), report);
        // score during training: both evaluation steps of every task, with the order, and a plot per task
        assertTrue(report.contains("## Score during training") && report.contains("### pendulum-medium-replay"), report);
        assertTrue(report.contains("| 10 |") && report.contains("| 20 |"), report);
        assertTrue(Files.isRegularFile(dir.resolve("report-pendulum-medium.png")));

        // a finished run of other settings is refused, not silently reused
        var other = new ControlTiersExperiment.Settings(List.of("pendulum"), List.of("medium"), List.of("iql"), 2, 20, 10, 1,
                dir.resolve("tiers").toString(), List.of("batchSize=32", "iql.hiddenSize=8"), dir.resolve("work"),
                dir.resolve("other.md"), true, "test");
        var e = assertThrows(IllegalArgumentException.class, () -> ControlTiersExperiment.run(other, false));
        assertTrue(e.getMessage().contains("other settings") && e.getMessage().contains("iql"), e.getMessage());
    }

    @Test
    void missingDatasetOrUnfinishedRunIsNamed(@TempDir Path dir) {
        var e = assertThrows(IllegalArgumentException.class, () -> ControlTiersExperiment.run(settings(dir, false), false));
        assertTrue(e.getMessage().contains("pendulum-medium.hdf5") && e.getMessage().contains("make-datasets"), e.getMessage());
    }
}
