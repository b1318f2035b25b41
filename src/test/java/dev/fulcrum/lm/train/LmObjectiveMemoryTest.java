package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The objectives' training steps and evaluations (generation, reward scoring) must not grow the number of live tensors. */
class LmObjectiveMemoryTest {
    @TempDir
    Path dir;

    private static int live(NDManager m) {
        return m.getManagedArrays().size() + m.getParentManager().getManagedArrays().size();
    }

    private static void steps(LmObjective objective, Adam adam, NDManager m, int count) {
        for (int i = 0; i < count; i++) {
            try (NDScope ignored = new NDScope(); Torch.Tape tape = new Torch.Tape()) {
                adam.zeroGradients();
                tape.backward(objective.loss(m, new int[] {i % 5, (i + 1) % 5, (i + 3) % 5}).loss());
            }
            adam.step();
        }
        objective.evaluate(m);
    }

    @Test
    void flatOverStepsAndEvaluations() {
        LmTrainConfig cfg = LmRuns.config("sft", dir, LmRuns.MICRO_MODEL);
        SolveRateSettings eval = new SolveRateSettings("str-upper,tool-calc", 2, 5, 12, 2, 4);
        ByteTokenizer bytes = new ByteTokenizer();
        try (NDManager m = Torch.newManager()) {
            DecoderLm lm = DecoderLm.initialise(m, cfg.model().toConfig(bytes), DataType.FLOAT32, new Rng(1));
            DecoderLm trunk = DecoderLm.initialise(m, cfg.model().toConfig(bytes), DataType.FLOAT32, new Rng(2));
            LmObjective sft = new SftObjective(lm, bytes, SftJsonl.read(LmRuns.sftData(dir, 5, "str-upper")), "sft.jsonl", eval);
            LmObjective reward = new RewardObjective(RewardModel.withNewHead(m, trunk, new Rng(3)), bytes,
                    PreferenceJsonl.read(LmRuns.preferenceData(dir, 3, "str-upper")), "p.jsonl",
                    new RewardSettings(0.01, 0.34, 4, "last-token", 0), new Rng(4));
            for (LmObjective objective : java.util.List.of(sft, reward)) {
                Adam adam = new OptimizerSettings(1e-3, 1e-4, 0, 0.1, 0.9, 0.95, 1e-8, 1).optimizer(m, objective.parameters());
                steps(objective, adam, m, 3);
                int before = live(m);
                steps(objective, adam, m, 20);
                assertEquals(before, live(m), objective.name() + ": live tensors after 20 more steps and an evaluation");
            }
        }
    }
}
