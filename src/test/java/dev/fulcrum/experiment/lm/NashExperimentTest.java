package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** PPO's runs have rows at 0 and T only; the verdict needs DNO and INPO above both baselines under the intransitive oracle. */
    @Test
    void verdictAgainstDpoAndPpo() {
        List<NashExperiment.Run> runs = new ArrayList<>();
        for (long seed = 0; seed < 3; seed++) {
            double d = seed * 0.01;
            runs.add(run("dno", seed, 0.5, 0.6 + d, 0.7 + d));
            runs.add(run("dpo", seed, 0.5, 0.5 + d, 0.5 + d));
            NashExperiment.Run ppo = run("ppo", seed, 0.5, 0.52 + d, 0.52 + d);
            runs.add(new NashExperiment.Run(ppo.oracle(), "ppo", seed, List.of(ppo.rows().get(0), ppo.rows().get(2)), 1));
        }
        assertArrayEquals(new double[] {0.52, 0.53, 0.54}, NashExperiment.winRates(runs, "intransitive", "ppo", 2), 1e-12);
        assertEquals(0, NashExperiment.winRates(runs, "intransitive", "ppo", 1).length);
        java.util.Map<String, double[]> above = java.util.Map.of("dno vs dpo", new double[] {0.2, 1e-4}, "dno vs ppo", new double[] {0.18, 1e-4});
        List<String> methods = List.of("dno", "dpo", "ppo");
        String held = NashExperiment.verdict("intransitive", runs, methods, 2, above);
        assertTrue(held.startsWith("HELD") && held.contains("significantly above PPO with a Bradley-Terry reward model"), held);
        java.util.Map<String, double[]> notAbovePpo = java.util.Map.of("dno vs dpo", new double[] {0.2, 1e-4}, "dno vs ppo", new double[] {0.05, 0.2});
        String notHeld = NashExperiment.verdict("intransitive", runs, methods, 2, notAbovePpo);
        assertTrue(notHeld.startsWith("NOT HELD") && notHeld.contains("not significantly different from PPO"), notHeld);
        assertTrue(NashExperiment.verdict("intransitive", runs, List.of("ppo"), 2, java.util.Map.of()).startsWith("NOT TESTED"));
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
