package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.iterative.IterativePreferenceLoop;
import dev.fulcrum.lm.iterative.IterationTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The claim bookkeeping on made-up rows: per-seed win rates per iteration and monotonicity of the seed means. */
class NashExperimentTest {
    private static NashExperiment.Run run(String method, long seed, double... winRates) {
        List<IterativePreferenceLoop.Row> rows = new ArrayList<>();
        for (int t = 0; t < winRates.length; t++) {
            rows.add(new IterativePreferenceLoop.Row(t, 1, 1, 1, 0, 0, 1, 1, 1, winRates[t], winRates[t], winRates[t], 0, "m"));
        }
        return new NashExperiment.Run("intransitive", method, seed, rows, 1);
    }

    @Test
    void winRatesAndMonotonicity() {
        List<NashExperiment.Run> runs = List.of(run("dno", 0, 0.5, 0.55, 0.6), run("dno", 1, 0.5, 0.65, 0.62),
                run("dpo", 0, 0.5, 0.6, 0.55), run("dpo", 1, 0.5, 0.6, 0.58));
        assertArrayEquals(new double[] {0.6, 0.62}, NashExperiment.winRates(runs, "intransitive", "dno", 2), 1e-12);
        assertTrue(NashExperiment.monotone(runs, "intransitive", "dno", 2), "means 0.5, 0.6, 0.61");
        assertFalse(NashExperiment.monotone(runs, "intransitive", "dpo", 2), "means 0.5, 0.6, 0.565");
    }

    /** The whole experiment on the smoke base with a stand-in trainer (the policy unchanged): runs, report and plot. */
    @Test
    void writesTheReport(@TempDir Path dir) throws Exception {
        IterationTrainer unchanged = IterationTrainer.Request::init;
        Path report = dir.resolve("nash.md");
        List<NashExperiment.Run> runs = NashExperiment.run(new NashExperiment.Settings(List.of("intransitive"), List.of("dno", "dpo"), 2, 0,
                List.of("iterations=1", "promptsPerFamily=1", "samplesPerPrompt=2", "maxNewTokens=16", "evalPromptsPerFamily=1",
                        "evalSamples=1", "dnoMargin=0"), dir.resolve("work"), report, BaseSft.Spec.smoke(), dir.resolve("cache")),
                unchanged, false, line -> { });
        assertTrue(runs.size() == 4 && runs.stream().allMatch(r -> r.rows().size() == 2), runs.toString());
        String md = Files.readString(report);
        assertTrue(md.contains("| dno |") && md.contains("dno vs dpo") && md.contains("Verdict:"), md);
        assertTrue(Files.size(dir.resolve("nash.png")) > 0);
    }
}
