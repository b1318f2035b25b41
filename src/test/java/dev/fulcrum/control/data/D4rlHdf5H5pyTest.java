package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * h5py reads what we write, as D4RL's loaders would (scripts/fixtures/check_h5py_reads.py). Runs where Debian's python3
 * has h5py (.ci/run installs python3-h5py); skipped elsewhere.
 */
class D4rlHdf5H5pyTest {
    @TempDir
    Path dir;

    @Test
    void h5pyReadsOurFiles() throws Exception {
        assumeTrue(h5pyAvailable(), "Debian python3 with h5py not installed");
        OfflineDataset d = Collector.collect(EnvRegistry.make("point-goal"), BehaviourPolicies.forEnv("point-goal", "expert"),
                700, new Rng(3), Map.of("quality", "expert"));
        Path f = dir.resolve("ours.hdf5");
        D4rlHdf5.write(d, f);
        Process p = new ProcessBuilder("/usr/bin/python3", "scripts/fixtures/check_h5py_reads.py", f.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        JsonNode j = Json.COMPACT.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(700, j.path("observations").path(0).asInt());
        assertEquals(4, j.path("observations").path(1).asInt());
        int terminals = 0, timeouts = 0;
        double rewards = 0, obsSum = 0;
        for (int i = 0; i < d.size(); i++) {
            terminals += d.terminals()[i] ? 1 : 0;
            timeouts += d.timeouts()[i] ? 1 : 0;
            rewards += d.rewards()[i];
        }
        for (float v : d.observations()) {
            obsSum += v;
        }
        assertEquals(terminals, j.path("terminals_true").asInt());
        assertEquals(timeouts, j.path("timeouts_true").asInt());
        assertEquals(rewards, j.path("rewards_sum").asDouble(), 1e-9);
        assertEquals(obsSum, j.path("observations_sum").asDouble(), 1e-6);
        assertEquals("expert", j.path("metadata").path("quality").asText());
    }

    static boolean h5pyAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import h5py").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
