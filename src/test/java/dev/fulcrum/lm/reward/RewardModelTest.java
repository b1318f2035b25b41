package dev.fulcrum.lm.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.TinyModels;
import dev.fulcrum.lm.model.TokenBatch;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward model reads the final hidden state of each sequence's last real token: checked against the trunk run on
 * each sequence alone (no padding) and a dot product written out in Java; the Bradley-Terry loss through the whole model
 * passes a float64 finite-difference check; save and load keep the numbers.
 */
class RewardModelTest {
    @TempDir
    Path dir;

    private static final List<int[]> SEQUENCES = List.of(new int[] {1, 4, 2, 9, 3}, new int[] {7, 5}, new int[] {6, 8, 10});

    @Test
    void rewardIsTheHeadAppliedToTheLastRealToken() {
        for (LmConfig config : List.of(TinyModels.GPT2, TinyModels.LLAMA)) {
            try (NDManager m = Torch.newManager()) {
                RewardModel rm = RewardModel.withNewHead(m, TinyModels.random(m, config, DataType.FLOAT64, 3), new Rng(4));
                double[] head = rm.parameters().get(RewardModel.HEAD).toDoubleArray();
                double[] batched = rm.score(m, SEQUENCES, 3);
                for (int i = 0; i < SEQUENCES.size(); i++) {
                    int[] s = SEQUENCES.get(i);
                    try (NDScope ignored = new NDScope()) {
                        TokenBatch alone = TokenBatch.of(List.of(s), 0, TokenBatch.Padding.RIGHT);
                        double[] last = rm.trunk().hiddenStates(alone.idTensor(m), alone.positionTensor(m),
                                alone.causalBias(m, DataType.FLOAT64), null).get(new NDIndex("0, -1, :")).toDoubleArray();
                        double expected = 0;
                        for (int j = 0; j < head.length; j++) {
                            expected += head[j] * last[j];
                        }
                        assertEquals(expected, batched[i], 1e-12, config.family() + " sequence " + i);
                    }
                }
            }
        }
    }

    @Test
    void bradleyTerryGradientThroughTheModelMatchesFiniteDifferences() {
        for (LmConfig config : List.of(TinyModels.GPT2, TinyModels.LLAMA)) {
            try (NDManager m = Torch.newManager()) {
                RewardModel rm = RewardModel.withNewHead(m, TinyModels.random(m, config, DataType.FLOAT64, 5), new Rng(6));
                assertFalse(rm.parameters().containsKey("lm_head.weight"), "the trunk's output head is not a reward parameter");
                List<int[]> chosen = SEQUENCES, rejected = List.of(new int[] {1, 4, 2}, new int[] {7, 5, 3, 3}, new int[] {6});
                GradCheck.Result r = GradCheck.check(rm.parameters(), () -> {
                    NDArray rewards = rm.rewards(m, List.of(chosen.get(0), chosen.get(1), chosen.get(2), rejected.get(0),
                            rejected.get(1), rejected.get(2)));
                    return BradleyTerry.loss(rewards.get(new NDIndex("0:3")), rewards.get(new NDIndex("3:")), 0.01).mean();
                }, 1e-6, 6);
                assertTrue(r.maxRelativeError() < 1e-6, config.family() + ": " + r);
            }
        }
    }

    @Test
    void saveAndLoadKeepRewards() {
        LmConfig untied = LmConfig.llama(11, 8, 2, 2, 1, 12, 16, 10000.0, false);
        try (NDManager m = Torch.newManager()) {
            RewardModel rm = RewardModel.withNewHead(m, TinyModels.random(m, untied, DataType.FLOAT32, 7), new Rng(8));
            rm.save(dir.resolve("rm"), null, 0);
            RewardModel back = RewardModel.load(dir.resolve("rm"), m, DataType.FLOAT32);
            assertArrayEquals(rm.score(m, SEQUENCES, 2), back.score(m, SEQUENCES, 2), 0.0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HfCheckpoint.load(dir.resolve("rm"), m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("lm_head.weight") || e.getMessage().contains("score.weight"), e.getMessage());

            DecoderLm lm = TinyModels.random(m, TinyModels.GPT2, DataType.FLOAT32, 9);
            HfCheckpoint.save(lm, dir.resolve("lm"), null);
            IllegalArgumentException notRm = assertThrows(IllegalArgumentException.class,
                    () -> RewardModel.load(dir.resolve("lm"), m, DataType.FLOAT32));
            assertTrue(notRm.getMessage().contains("not a reward model"), notRm.getMessage());
        }
    }
}
