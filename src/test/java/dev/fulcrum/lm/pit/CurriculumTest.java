package dev.fulcrum.lm.pit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.align.RevisionPrompt;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.SftExample;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The curriculum's data flow: stage 1 drafts are the pairs' rejected responses and the SFT model's responses; stage 2
 * drafts are the stage-1 policy's revisions, on the same tasks; the reviser's SFT rows are {@code revise(x, yl) -> yw};
 * a revision problem is scored by its task's gold reward.
 */
class CurriculumTest {
    private final Problem upper = TaskSuite.problem("str-upper", 5, 0);
    private final Problem add = TaskSuite.problem("arith-add", 5, 1);

    @Test
    void stageOneDraftsComeFromTheDataAndTheSftModel() {
        List<RevisionProblem> pool = Curriculum.fromData(List.of(new Curriculum.Rejected(upper, "x1"), new Curriculum.Rejected(add, "x2")),
                List.of(upper), List.of("sft answer"));
        assertEquals(3, pool.size());
        assertEquals(List.of("x1", "x2", "sft answer"), pool.stream().map(RevisionProblem::draft).toList());
        assertEquals(List.of(Curriculum.DATA_REJECTED, Curriculum.DATA_REJECTED, Curriculum.SFT_SAMPLE),
                pool.stream().map(RevisionProblem::source).toList());
        assertEquals(RevisionPrompt.revise(upper.prompt(), "x1"), pool.get(0).prompt());
        assertEquals(upper.family(), pool.get(0).family());
        assertEquals(1.0, pool.get(0).score(upper.reference()), 1e-12, "gold reward of the task");
        assertEquals(upper.score("x1"), pool.get(0).score("x1"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Curriculum.fromData(List.of(), List.of(upper), List.of()));
    }

    @Test
    void stageTwoDraftsAreThePolicysOwnRevisionsOfStageOnePrompts() {
        List<RevisionProblem> stage1 = Curriculum.fromData(List.of(new Curriculum.Rejected(upper, "a"), new Curriculum.Rejected(add, "b"),
                new Curriculum.Rejected(add, "c")), List.of(), List.of());
        List<RevisionProblem> picked = Curriculum.sample(stage1, 2, new Rng(3));
        assertEquals(2, picked.size());
        assertEquals(2, new HashSet<>(picked).size(), "without replacement");
        assertEquals(picked, Curriculum.sample(stage1, 2, new Rng(3)), "seeded");
        assertEquals(3, Curriculum.sample(stage1, 10, new Rng(3)).size());
        List<RevisionProblem> stage2 = Curriculum.fromPolicy(picked, List.of("rev 0", "rev 1"));
        for (int i = 0; i < 2; i++) {
            assertEquals(picked.get(i).task(), stage2.get(i).task(), "same task");
            assertEquals("rev " + i, stage2.get(i).draft(), "the policy's revision is the new draft");
            assertEquals(Curriculum.STAGE1_POLICY, stage2.get(i).source());
            assertEquals(RevisionPrompt.revise(picked.get(i).task().prompt(), "rev " + i), stage2.get(i).prompt());
        }
        assertThrows(IllegalArgumentException.class, () -> Curriculum.fromPolicy(picked, List.of("one")));
    }

    @Test
    void reviserSftRowsReviseTheRejectedIntoTheChosen() {
        List<PreferenceExample> pairs = OracleDatasets.preferences(OracleDatasets.sources(List.of("str-upper"), 5, 2),
                new BradleyTerryOracle(0.1), new Rng(0), false);
        List<SftExample> rows = Pit.reviserExamples(pairs);
        assertEquals(pairs.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            PreferenceExample p = pairs.get(i);
            String x = ((Content.Text) p.prompt()).text(), yl = ((Content.Text) p.rejected()).text();
            assertEquals(RevisionPrompt.revise(x, yl), ((Content.Text) rows.get(i).prompt()).text());
            assertEquals(p.chosen(), rows.get(i).completion());
            assertEquals(TaskSuite.problem("str-upper", 5, p.extra().get("index").asInt()).prompt(), Pit.task(p).prompt(),
                    "the pair's task is regenerated from its provenance columns");
        }
    }
}
