package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.rng.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class D4rlHdf5Test {
    @TempDir
    Path dir;

    @Test
    void roundTripIsExact() {
        OfflineDataset d = Collector.collect(EnvRegistry.make("point-goal"), BehaviourPolicies.forEnv("point-goal", "medium"),
                3000, new Rng(1), Map.of("quality", "medium"));
        Path f = dir.resolve("d.hdf5");
        D4rlHdf5.write(d, f);
        OfflineDataset back = D4rlHdf5.read(f);
        assertEquals(d.observationDim(), back.observationDim());
        assertEquals(d.actionDim(), back.actionDim());
        assertArrayEquals(d.observations(), back.observations());
        assertArrayEquals(d.actions(), back.actions());
        assertArrayEquals(d.rewards(), back.rewards());
        assertArrayEquals(d.nextObservations(), back.nextObservations());
        assertArrayEquals(d.terminals(), back.terminals());
        assertArrayEquals(d.timeouts(), back.timeouts());
        assertEquals(d.metadata(), back.metadata());
    }

    @Test
    void badInputNamesTheProblem() throws Exception {
        assertMessage(dir.resolve("none.hdf5"), "dataset file not found");
        Path junk = dir.resolve("junk.hdf5");
        Files.writeString(junk, "this is not hdf5");
        assertMessage(junk, "not a readable HDF5 file");
    }

    @Test
    void failedWriteLeavesNothingBehind() throws Exception {
        OfflineDataset d = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "random"), 10,
                new Rng(1), Map.of());
        Path target = dir.resolve("sub").resolve("x.hdf5");
        Files.createDirectories(target);  // a directory where the file should go: the final move must fail
        assertThrows(DatasetException.class, () -> D4rlHdf5.write(d, target));
        try (var files = Files.list(dir.resolve("sub"))) {
            assertEquals(1, files.count(), "only the blocking directory remains, no temporary file");
        }
    }

    static void assertMessage(Path file, String fragment) {
        String msg = assertThrows(DatasetException.class, () -> D4rlHdf5.read(file)).getMessage();
        assertTrue(msg.contains(fragment) && msg.contains(file.getFileName().toString()), msg);
        assertTrue(!msg.contains("\n"), "one line: " + msg);
    }
}
