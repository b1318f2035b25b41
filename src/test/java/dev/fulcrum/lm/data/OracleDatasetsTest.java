package dev.fulcrum.lm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datasets from the oracles: provenance regenerates the problem, gold labels follow rewards, sampled labels follow p. */
class OracleDatasetsTest {
    @TempDir
    Path dir;

    @Test
    void sftRowsRegenerateTheirProblem() {
        var sources = OracleDatasets.sources(List.of("sort-asc", "tool-basket"), 5, 3);
        List<SftExample> sft = OracleDatasets.sft(sources, false);
        assertEquals(6, sft.size());
        for (SftExample e : sft) {
            Problem p = TaskSuite.problem(e.extra().get("family").asText(), e.extra().get("seed").asLong(), e.extra().get("index").asInt());
            assertEquals(((Content.Text) e.prompt()).text(), p.prompt());
            assertEquals(1.0, p.score(((Content.Text) e.completion()).text()));
        }
        assertEquals("held-out", sft.get(5).extra().get("split").asText());
        SftJsonl.write(dir.resolve("s.jsonl"), OracleDatasets.sft(sources, true), SftFormat.MESSAGES);
        assertEquals(6, SftJsonl.read(dir.resolve("s.jsonl")).size());
    }

    @Test
    void goldLabelsPreferTheBetterResponse() {
        var sources = OracleDatasets.sources(List.of("arith-add"), 1, 4);
        List<PreferenceExample> prefs = OracleDatasets.preferences(sources, null, new Rng(0), false);
        assertEquals(4 * 10, prefs.size(), "all pairs of the reference and 4 corruptions");
        for (PreferenceExample e : prefs) {
            assertTrue(e.extra().get("chosen_reward").asDouble() > e.extra().get("rejected_reward").asDouble());
            assertTrue(e.extra().get("chosen_level").asInt() < e.extra().get("rejected_level").asInt());
            assertEquals(1.0, e.extra().get("p_chosen").asDouble());
        }
        Path f = dir.resolve("p.jsonl");
        PreferenceJsonl.write(f, prefs, PreferenceFormat.STANDARD);
        assertEquals(prefs, PreferenceJsonl.read(f));
    }

    @Test
    void sampledLabelsFollowTheOracle() {
        var sources = OracleDatasets.sources(List.of("sort-asc", "str-upper"), 2, 200);
        BradleyTerryOracle bt = new BradleyTerryOracle(0.2);
        List<PreferenceExample> prefs = OracleDatasets.preferences(sources, bt, new Rng(3), true);
        double expectedFlips = 0;
        int flips = 0;
        for (PreferenceExample e : prefs) {
            double pChosen = e.extra().get("p_chosen").asDouble();
            Problem p = TaskSuite.problem(e.extra().get("family").asText(), 2, e.extra().get("index").asInt());
            String chosen = ((Content.Chat) e.chosen()).messages().getFirst().content();
            String rejected = ((Content.Chat) e.rejected()).messages().getFirst().content();
            assertEquals(bt.probability(p, chosen, rejected), pChosen, 1e-12);
            boolean flipped = e.extra().get("chosen_level").asInt() > e.extra().get("rejected_level").asInt();
            flips += flipped ? 1 : 0;
            expectedFlips += flipped ? pChosen : 1 - pChosen; // P(flip) = P(worse wins) for this pair
        }
        assertTrue(flips > 0);
        double sd = Math.sqrt(expectedFlips);
        assertTrue(Math.abs(flips - expectedFlips) < 4 * sd + 1, flips + " flips, expected " + expectedFlips);
    }
}
