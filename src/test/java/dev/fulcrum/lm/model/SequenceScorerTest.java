package dev.fulcrum.lm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.lm.io.HfCheckpoint;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SequenceScorerTest {

    /** Completions of different lengths after prompts of different lengths, in one batch, against the script's values. */
    @ParameterizedTest
    @ValueSource(strings = {LmFixtures.GPT2, LmFixtures.LLAMA})
    void batchedScoresMatchTheReference(String name) {
        JsonNode ref = LmFixtures.expected(name).get("scores");
        List<int[]> prompts = LmFixtures.rows(ref.get("prompts"));
        List<int[]> completions = LmFixtures.rows(ref.get("completions"));
        try (NDManager m = Torch.newManager(); NDScope ignored = new NDScope()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(name), m, DataType.FLOAT32);
            CompletionScores s = SequenceScorer.score(model, m, prompts, completions);
            assertArrayEquals(LmFixtures.ints(ref.get("counts")), s.counts());
            double[] expected = LmFixtures.doubles(ref.get("sum_logprobs"));
            float[] sums = s.sums().toFloatArray();
            float[] means = s.means().toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], sums[i], 1e-4 * Math.max(1, Math.abs(expected[i])), name + " pair " + i);
                assertEquals(expected[i] / s.counts()[i], means[i], 1e-4 * Math.max(1, Math.abs(expected[i])), name + " mean " + i);
            }
            // per-token values sum to the totals and are zero off the completion
            float[] tokens = s.tokenLogProbs().toFloatArray(), mask = s.mask().toFloatArray();
            int width = (int) s.tokenLogProbs().getShape().get(1);
            for (int i = 0; i < expected.length; i++) {
                double total = 0;
                int counted = 0;
                for (int j = 0; j < width; j++) {
                    total += tokens[i * width + j];
                    counted += (int) mask[i * width + j];
                    if (mask[i * width + j] == 0) {
                        assertEquals(0.0, Math.abs(tokens[i * width + j]));
                    }
                }
                assertEquals(sums[i], total, 1e-4);
                assertEquals(s.counts()[i], counted);
            }
        }
    }

    @Test
    void aPairScoresTheSameAloneAndInABatch() {
        List<int[]> prompts = List.of(new int[] {5}, new int[] {1, 2, 3, 4, 5, 6}, new int[] {8, 9});
        List<int[]> completions = List.of(new int[] {7, 7, 7, 7, 7, 7, 7}, new int[] {3}, new int[] {1, 2});
        try (NDManager m = Torch.newManager(); NDScope ignored = new NDScope()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(LmFixtures.LLAMA), m, DataType.FLOAT32);
            float[] batched = SequenceScorer.score(model, m, prompts, completions).sums().toFloatArray();
            for (int i = 0; i < prompts.size(); i++) {
                float alone = SequenceScorer.score(model, m, List.of(prompts.get(i)), List.of(completions.get(i))).sums().toFloatArray()[0];
                assertEquals(alone, batched[i], 1e-5, "pair " + i);
            }
        }
    }

    @Test
    void badPairsFailClearly() {
        try (NDManager m = Torch.newManager(); NDScope ignored = new NDScope()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(LmFixtures.GPT2), m, DataType.FLOAT32);
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> SequenceScorer.score(model, m, List.of(new int[0]), List.of(new int[] {1}))).getMessage();
            assertTrue(msg.contains("prompt 0 is empty"), msg);
            msg = assertThrows(IllegalArgumentException.class,
                    () -> SequenceScorer.score(model, m, List.of(new int[] {1}), List.of(new int[] {1}, new int[] {2}))).getMessage();
            assertTrue(msg.contains("as many completions"), msg);
            msg = assertThrows(IllegalArgumentException.class,
                    () -> SequenceScorer.score(model, m, List.of(new int[] {1}), List.of(new int[40]))).getMessage();
            assertTrue(msg.contains("maxPositions"), msg);
        }
    }
}
