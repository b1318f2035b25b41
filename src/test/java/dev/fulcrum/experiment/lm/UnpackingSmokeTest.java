package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.experiment.lm.UnpackingExperiment.Measured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole grid end to end on the smoke base model with tiny budgets (seconds); a second call reuses every run. */
class UnpackingSmokeTest {
    @TempDir
    Path dir;

    @Test
    void gridRunsEndToEndAndResumes() throws Exception {
        BaseSft.Spec smaller = new BaseSft.Spec("in-distribution", 20, 0, "tiny", 20, 0,
                List.of("batchSize=8", "evalEvery=1000", "eval.problemsPerFamily=1"));
        var s = new UnpackingExperiment.Settings(UnpackingGrid.names(), 2, 0, 6, 4, 2, 2, 4, 1e-4, 1, 1e-4, 2, 2,
                BaseSft.Spec.smoke(), smaller, dir.resolve("cache"),
                List.of("ppo.criticPretrainSteps=1", "ppo.rolloutBatch=8", "ppo.minibatch=4", "ppo.maxNewTokens=8"), dir.resolve("work"), dir.resolve("report/unpacking.md"));
        UnpackingExperiment.Outcome first = UnpackingExperiment.run(s, false);
        assertEquals(10, first.runs().size());
        for (Measured m : first.runs()) {
            assertTrue(m.winRate() >= 0 && m.winRate() <= 1 && m.winLo() <= m.winRate() && m.winRate() <= m.winHi(), m.toString());
            assertTrue(m.goldReward() >= 0 && m.goldReward() <= 1, m.toString());
        }
        assertEquals(List.of("dpo-low-data", "dpo-low-data", "dpo", "dpo", "ppo-small-rm", "ppo-small-rm", "ppo", "ppo",
                "ppo-extra-prompts", "ppo-extra-prompts"), first.runs().stream().map(Measured::cell).toList());
        for (String rm : List.of("smaller", "policy-size")) {
            assertTrue(Files.isDirectory(dir.resolve("work/reward-models/" + rm + "/model")), rm);
        }
        // the PPO cells' prompt pools: labelled only (6 per family) or twice as many
        assertTrue(Files.readString(dir.resolve("work/runs/ppo-seed0/config.json")).contains("\"problemsPerFamily\" : 6"));
        assertTrue(Files.readString(dir.resolve("work/runs/ppo-extra-prompts-seed0/config.json")).contains("\"problemsPerFamily\" : 12"));
        String md = Files.readString(s.report());
        assertTrue(md.contains("**Verdict: "), md);
        assertTrue(md.contains("| ppo-extra-prompts | high | PPO | policy-sized | extra |"), md);
        assertTrue(Files.size(dir.resolve("report/unpacking.png")) > 1000);

        List<Path> trained = List.of(dir.resolve("work/runs/dpo-seed1/summary.json"), dir.resolve("work/runs/ppo-seed1/summary.json"),
                dir.resolve("work/reward-models/smaller/summary.json"));
        List<java.nio.file.attribute.FileTime> times = new java.util.ArrayList<>();
        for (Path p : trained) {
            times.add(Files.getLastModifiedTime(p));
        }
        UnpackingExperiment.Outcome again = UnpackingExperiment.run(s, false);
        assertEquals(first.runs(), again.runs());
        for (int i = 0; i < trained.size(); i++) {
            assertEquals(times.get(i), Files.getLastModifiedTime(trained.get(i)), "reused, not trained again: " + trained.get(i));
        }
        // other settings: the runs they change are trained again, the others reused
        var moreDpo = new UnpackingExperiment.Settings(List.of("dpo", "ppo"), 2, 0, 6, 4, 2, 3, 4, 1e-4, 1, 1e-4, 2, 2,
                BaseSft.Spec.smoke(), smaller, dir.resolve("cache"), s.ppoOverrides(), dir.resolve("work"), dir.resolve("report/unpacking.md"));
        UnpackingExperiment.run(moreDpo, false);
        assertTrue(Files.readString(dir.resolve("work/runs/dpo-seed1/config.json")).contains("\"steps\" : 3"));
        assertEquals(times.get(1), Files.getLastModifiedTime(trained.get(1)));
    }
}
