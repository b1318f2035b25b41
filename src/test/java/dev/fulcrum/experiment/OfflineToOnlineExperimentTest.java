package dev.fulcrum.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Offline-to-online curves at toy size: both phases evaluated, reuse of finished runs, report and chart written. */
class OfflineToOnlineExperimentTest {

    @Test
    void recordsTheScoreAtTheSwitchAndAtTheEnd(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pendulum-medium.hdf5");
        D4rlHdf5.write(Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "medium"), 400,
                new Rng(1), Map.of()), data);
        var settings = new OfflineToOnlineExperiment.Settings("pendulum", data, List.of("iql"), 2, 20, 30, 10, 1,
                List.of("batchSize=32", "iql.hiddenSize=16"), dir.resolve("work"), dir.resolve("o2o.md"), "test");
        var first = OfflineToOnlineExperiment.run(settings, false);
        assertEquals(2, first.offlineEnd().get("iql").length);
        var evals = OfflineToOnlineExperiment.evaluations(dir.resolve("work/iql-seed0"));
        assertTrue(evals.containsKey(20L) && evals.lastKey() == 50L, evals.toString());
        assertEquals(evals.get(20L), first.offlineEnd().get("iql")[0], 0.0);

        var again = OfflineToOnlineExperiment.run(settings, false); // every run finished: read, not retrained
        assertArrayEquals(first.onlineEnd().get("iql"), again.onlineEnd().get("iql"), 0.0);
        String report = Files.readString(dir.resolve("o2o.md"));
        assertTrue(report.contains("| iql |") && report.contains("o2o-curves.png"), report);
        assertTrue(Files.size(dir.resolve("o2o-curves.png")) > 1000);
    }
}
