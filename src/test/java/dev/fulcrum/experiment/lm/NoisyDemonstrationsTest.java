package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.SftExample;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mixed-quality SFT spec: its data mix, and that reference-only specs keep their cache keys. */
class NoisyDemonstrationsTest {
    @Test
    void referenceOnlySpecsKeepTheirCacheKeys() {
        // the key of the cached standard base (~/.cache/fulcrum/lm-base/9a0b5cd0d547cb64) and of the smoke base
        assertEquals("9a0b5cd0d547cb64", BaseSft.Spec.standard().key());
        assertEquals("16206613955044fc", BaseSft.Spec.smoke().key());
        assertFalse(BaseSft.Spec.standard().canonical().contains("corruptedShare"));
        BaseSft.Spec s = BaseSft.Spec.standard();
        BaseSft.Spec noisy = new BaseSft.Spec(s.families(), s.perFamily(), s.dataSeed(), s.modelSize(), s.steps(), s.seed(), s.overrides(), 0.5);
        assertNotEquals(s.key(), noisy.key());
        assertNotEquals(noisy.key(), BaseSft.Spec.noisyDemonstrations().key());
        assertThrows(IllegalArgumentException.class,
                () -> new BaseSft.Spec(s.families(), 1, 0, "tiny", 1, 0, List.of(), 1.5));
    }

    @Test
    void theReportedCommandNamesTheNoisyBase() {
        var noisy = new RankingAccuracyExperiment.Settings(3, List.of("sigmoid"), 40, 8, 1, 200, 16, 2e-5, 40, 400, List.of(),
                java.nio.file.Path.of("w"), java.nio.file.Path.of("r.md"), BaseSft.Spec.noisyDemonstrations());
        assertTrue(RankingAccuracyReport.command(noisy).endsWith(" --base noisy"), RankingAccuracyReport.command(noisy));
        var standard = new RankingAccuracyExperiment.Settings(3, List.of("sigmoid"), 40, 8, 1, 200, 16, 2e-5, 40, 400, List.of(),
                java.nio.file.Path.of("w"), java.nio.file.Path.of("r.md"), BaseSft.Spec.standard());
        assertFalse(RankingAccuracyReport.command(standard).contains("--base"));
        var control = new RankingAccuracyExperiment.Settings(3, List.of("sigmoid"), 40, 8, 1, 200, 16, 2e-5, 40, 400, List.of(),
                java.nio.file.Path.of("w"), java.nio.file.Path.of("r.md"), BaseSft.Spec.noisyDemonstrations(0));
        assertTrue(RankingAccuracyReport.command(control).endsWith(" --base noisy --corrupted-share 0.0"), RankingAccuracyReport.command(control));
    }

    @Test
    void aboutHalfOfTheNoisyDemonstrationsAreCorruptionsDrawnDeterministically() {
        BaseSft.Spec spec = BaseSft.Spec.noisyDemonstrations();
        List<SftExample> rows = spec.demonstrations();
        assertEquals(5 * 1000, rows.size());
        assertEquals(rows, spec.demonstrations(), "deterministic");
        int references = 0;
        for (SftExample row : rows) {
            String family = row.extra().get("family").asText();
            assertFalse(family.startsWith("tool-"), "no tool families");
            Problem p = TaskSuite.problem(family, row.extra().get("seed").asLong(), row.extra().get("index").asInt());
            int level = row.extra().get("level").asInt();
            String completion = ((Content.Text) row.completion()).text();
            assertEquals(level == 0 ? p.reference() : p.corruptions().get(level - 1), completion);
            assertEquals(level == 0, p.score(completion) == 1.0, "corruptions score below 1");
            references += level == 0 ? 1 : 0;
        }
        double share = references / (double) rows.size();
        assertTrue(Math.abs(share - 0.5) < 0.03, "share of references " + share); // 5000 draws: sd 0.007
    }

    @Test
    void theDrawOfAProblemDoesNotDependOnTheOtherProblemsAndTheEndsAreExact() {
        List<OracleDatasets.Source> all = OracleDatasets.sources(List.of("str-upper", "arith-add"), 3, 30);
        Rng rng = new Rng(7).split("demonstrations");
        List<SftExample> full = OracleDatasets.sftWithCorruptions(all, 0.5, rng, false);
        List<SftExample> tail = OracleDatasets.sftWithCorruptions(all.subList(10, 60), 0.5, rng, false);
        assertEquals(full.subList(10, 60), tail);
        assertTrue(OracleDatasets.sftWithCorruptions(all, 0, rng, false).stream().allMatch(r -> r.extra().get("level").asInt() == 0));
        assertTrue(OracleDatasets.sftWithCorruptions(all, 1, rng, false).stream().allMatch(r -> r.extra().get("level").asInt() > 0));
        assertEquals(OracleDatasets.sft(all, false).stream().map(SftExample::completion).toList(),
                OracleDatasets.sftWithCorruptions(all, 0, rng, false).stream().map(SftExample::completion).toList());
    }
}
