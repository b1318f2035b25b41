package dev.fulcrum.core.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An experiment reuses a finished run only when it was made with the same settings. */
class RunDirectoryReuseTest {
    record Settings(String algo, long seed, double learningRate, int steps) {
    }

    @Test
    void finishedRunOfTheSameSettingsIsReusedOthersAreRefusedByName(@TempDir Path dir) {
        Path run = dir.resolve("run");
        Settings settings = new Settings("iql", 3L, 3e-4, 1000);
        assertFalse(RunDirectory.finishedWith(run, settings), "no run yet");
        RunDirectory r = RunDirectory.create(run);
        r.writeConfig(settings);
        assertFalse(RunDirectory.finishedWith(run, settings), "not finished: no summary");
        r.writeSummary(Map.of("final_return_mean", 1.0));
        assertTrue(RunDirectory.finishedWith(run, settings), "same settings (a long written as a small number compares equal)");
        var e = assertThrows(IllegalArgumentException.class,
                () -> RunDirectory.finishedWith(run, new Settings("iql", 3L, 1e-3, 2000)));
        assertTrue(e.getMessage().contains("differing: learningRate, steps") && e.getMessage().contains(run.toString()),
                e.getMessage());
    }
}
