package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.experiment.lm.UnpackingGrid.Algorithm;
import dev.fulcrum.experiment.lm.UnpackingGrid.Cell;
import dev.fulcrum.experiment.lm.UnpackingGrid.Data;
import dev.fulcrum.experiment.lm.UnpackingGrid.Prompts;
import dev.fulcrum.experiment.lm.UnpackingGrid.RewardModel;
import dev.fulcrum.experiment.lm.UnpackingGrid.Step;
import dev.fulcrum.lm.rl.PpoRunConfig;
import dev.fulcrum.lm.train.LmTrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The grid of the unpacking experiment: which cells, which factor each step changes, and the settings each cell runs with. */
class UnpackingGridTest {
    @Test
    void cellsFollowTheIncrementalDesign() {
        assertEquals(List.of("dpo-low-data", "dpo", "ppo-small-rm", "ppo", "ppo-extra-prompts"), UnpackingGrid.names());
        assertEquals(new Cell("dpo-low-data", Data.LOW, Algorithm.DPO, RewardModel.NONE, Prompts.LABELLED), UnpackingGrid.cell("dpo-low-data"));
        assertEquals(new Cell("ppo-extra-prompts", Data.HIGH, Algorithm.PPO, RewardModel.POLICY_SIZE, Prompts.EXTRA),
                UnpackingGrid.cell("ppo-extra-prompts"));
        // every PPO cell trains on (a reward model of) the high-quality pairs, as the DPO cell it is compared with
        UnpackingGrid.CELLS.stream().filter(c -> c.algorithm() == Algorithm.PPO).forEach(c -> assertEquals(Data.HIGH, c.data()));
    }

    @Test
    void eachStepChangesExactlyItsFactor() {
        Map<String, String> field = Map.of("data quality", "data", "algorithm", "algorithm", "reward model size", "rewardModel",
                "prompts", "prompts", "algorithm (policy-sized RM)", "algorithm");
        assertEquals(List.of("data quality", "algorithm", "reward model size", "prompts"),
                UnpackingGrid.STEPS.stream().filter(Step::primary).map(Step::factor).toList());
        assertEquals(UnpackingReport.PAPER_RANKING, UnpackingGrid.STEPS.stream().filter(Step::primary).map(Step::factor).toList());
        for (Step s : UnpackingGrid.STEPS) {
            assertEquals(List.of(field.get(s.factor())), UnpackingGrid.changedFactors(s), s.toString());
        }
        // the primary steps chain: each starts where the previous one ended
        List<Step> primary = UnpackingGrid.STEPS.stream().filter(Step::primary).toList();
        for (int i = 1; i < primary.size(); i++) {
            assertEquals(primary.get(i - 1).to(), primary.get(i).from());
        }
    }

    @Test
    void selectionKeepsGridOrderAndOnlyCompleteSteps() {
        List<Cell> cells = UnpackingGrid.select(List.of("ppo", "dpo"));
        assertEquals(List.of("dpo", "ppo"), cells.stream().map(Cell::name).toList());
        assertEquals(List.of("algorithm (policy-sized RM)"), UnpackingGrid.steps(cells).stream().map(Step::factor).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnpackingGrid.select(List.of("dpo", "kto")));
        assertTrue(e.getMessage().contains("unknown cell 'kto'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Cell("x", Data.HIGH, Algorithm.PPO, RewardModel.NONE, Prompts.LABELLED));
        assertThrows(IllegalArgumentException.class, () -> new Cell("x", Data.HIGH, Algorithm.DPO, RewardModel.NONE, Prompts.EXTRA));
    }

    @Test
    void cellsRunWithTheirSettings() {
        Path base = Path.of("/bases/policy"), rm = Path.of("/rms/small");
        var s = new UnpackingExperiment.Settings(UnpackingGrid.names(), 3, 0, 40, 60, 4, 200, 16, 1e-4, 20, 3e-4, 150, 20,
                BaseSft.Spec.smoke(), BaseSft.Spec.smoke(), Path.of("/cache"), List.of("ppo.klCoef=0.1"), Path.of("/work"), Path.of("/r.md"));
        PpoRunConfig labelled = UnpackingExperiment.ppoConfig(s, UnpackingGrid.cell("ppo"), base, rm, 2);
        PpoRunConfig extra = UnpackingExperiment.ppoConfig(s, UnpackingGrid.cell("ppo-extra-prompts"), base, rm, 2);
        assertEquals(40, labelled.problemsPerFamily());
        assertEquals(160, extra.problemsPerFamily());
        assertEquals(UnpackingExperiment.DATA_SEED, labelled.problemSeed()); // the labelled problems are the pool's first 40
        assertEquals("model", labelled.ppo().reward());
        assertEquals("/rms/small", labelled.rewardModel());
        assertEquals(20, labelled.iterations());
        assertEquals(2, labelled.seed());
        assertEquals(3e-4, labelled.ppo().policyLearningRate());
        assertEquals(0.1, labelled.ppo().klCoef()); // the settings' PPO overrides come last
        LmTrainConfig dpo = UnpackingExperiment.dpoConfig(s, base, Path.of("/data/high.jsonl"), 1);
        assertEquals("dpo", dpo.objective());
        assertEquals("/data/high.jsonl", dpo.data());
        assertEquals(200, dpo.steps());
        assertEquals(1, dpo.seed());
        assertEquals(0.1, dpo.preference().beta());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new UnpackingExperiment.Settings(
                UnpackingGrid.names(), 1, 0, 40, 60, 4, 200, 16, 1e-4, 20, 3e-4, 150, 20, BaseSft.Spec.smoke(), BaseSft.Spec.smoke(),
                Path.of("/c"), List.of(), Path.of("/w"), Path.of("/r.md")));
        assertTrue(e.getMessage().contains("--seeds"), e.getMessage());
    }
}
