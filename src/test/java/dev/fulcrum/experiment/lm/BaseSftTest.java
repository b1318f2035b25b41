package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.train.LmTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseSftTest {
    @TempDir
    Path cache;

    @Test
    void trainsOnceThenReusesTheCachedRunAndLeavesNoPartialFolders() throws Exception {
        BaseSft.Spec spec = BaseSft.Spec.smoke();
        Path first = BaseSft.obtain(spec, cache, false);
        assertTrue(Files.isDirectory(first.resolve(LmTrainer.MODEL_DIR)), "model directory");
        assertTrue(Files.isRegularFile(first.resolve("base-spec.json")));
        long modified = Files.getLastModifiedTime(first.resolve("summary.json")).toMillis();
        Path second = BaseSft.obtain(spec, cache, false);
        assertEquals(first, second);
        assertEquals(modified, Files.getLastModifiedTime(second.resolve("summary.json")).toMillis(), "not retrained");
        try (var list = Files.list(cache)) {
            assertEquals(List.of(first), list.filter(p -> !p.toString().endsWith(".lock")).toList(), "only the finished run remains");
        }
    }

    @Test
    void concurrentCallersTrainOnceAndStaleLeftoversAreRemoved() throws Exception {
        BaseSft.Spec spec = BaseSft.Spec.smoke();
        Path stale = Files.createDirectories(cache.resolve(spec.key() + ".partial-killed"));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> BaseSft.obtain(spec, cache, false));
            var b = pool.submit(() -> BaseSft.obtain(spec, cache, false));
            assertEquals(a.get(), b.get());
        } finally {
            pool.shutdown();
        }
        assertTrue(Files.notExists(stale), "a killed run's folder is removed by the next trainer");
        try (var list = Files.list(cache)) {
            assertEquals(1, list.filter(p -> p.getFileName().toString().startsWith(spec.key() + ".partial")
                    || p.getFileName().toString().equals(spec.key())).count(), "one run, no leftovers");
        }
    }

    @Test
    void theKeyDependsOnEveryFieldAndNotOnMapOrder() {
        BaseSft.Spec a = BaseSft.Spec.standard();
        assertEquals(a.key(), BaseSft.Spec.standard().key());
        BaseSft.Spec b = new BaseSft.Spec(a.families(), a.perFamily(), a.dataSeed(), a.modelSize(), a.steps(), a.seed() + 1, a.overrides());
        assertNotEquals(a.key(), b.key());
    }
}
