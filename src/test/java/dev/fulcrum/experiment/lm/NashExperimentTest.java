package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.iterative.IterativePreferenceLoop;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
