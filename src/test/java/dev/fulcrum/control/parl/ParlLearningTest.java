package dev.fulcrum.control.parl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both learners improve the true utility on the 5x5 grid from preferences alone, and count their samples. */
class ParlLearningTest {
    @TempDir
    Path dir;

    private ParlTrainer.Result train(String method, int iterations) {
        ParlConfig cfg = ConfigLoader.load(ParlConfig.class, ParlConfig.defaults(), null, List.of("task=grid-hazard-5",
                "method=" + method, "seed=1", "iterations=" + iterations, "entropy=0.5", "rewardInit=zero", "evalEvery=10"));
        return new ParlTrainer(cfg, dir.resolve(method)).fit();
    }

    @Test
    void bothLearnersImproveTheTrueUtility() {
        for (String method : List.of("aparl", "pebble")) {
            ParlTrainer.Result r = train(method, 60);
            // the uniform initial policy scores 0 by construction; the naive reward's optimum scores below 0
            assertTrue(r.finalNormalisedUtility() > 0.5, method + ": final normalised utility " + r.finalNormalisedUtility());
            assertEquals(60L * 4, r.queries(), "4 oracle queries per iteration");
            GridHazard grid = GridHazard.standard(5);
            assertEquals(60L * (5 * 16 + 2 * 4) * grid.horizon(), r.transitions(), "inner rollouts plus query rollouts");
        }
    }
}
