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
            // per-token values: completion token t of row i at column t, equal to the row's own logits, zero past its end
            float[] tokens = s.tokenLogProbs().toFloatArray(), mask = s.mask().toFloatArray();
            int width = (int) s.tokenLogProbs().getShape().get(1);
            assertEquals(completions.stream().mapToInt(c -> c.length).max().orElseThrow(), width);
            for (int i = 0; i < expected.length; i++) {
                int[] p = prompts.get(i), c = completions.get(i);
                int[] seq = java.util.Arrays.copyOf(p, p.length + c.length);
                System.arraycopy(c, 0, seq, p.length, c.length);
                float[] logits = model.logits(m, TokenBatch.of(List.of(seq), 0, TokenBatch.Padding.RIGHT)).toFloatArray();
                int v = model.config().vocabSize();
                for (int t = 0; t < width; t++) {
                    if (t < c.length) {
                        int row = (p.length - 1 + t) * v;
                        double max = Double.NEGATIVE_INFINITY, z = 0;
                        for (int k = 0; k < v; k++) {
                            max = Math.max(max, logits[row + k]);
                        }
                        for (int k = 0; k < v; k++) {
                            z += Math.exp(logits[row + k] - max);
                        }
                        assertEquals(logits[row + c[t]] - max - Math.log(z), tokens[i * width + t], 1e-4, name + " row " + i + " token " + t);
                        assertEquals(1f, mask[i * width + t]);
                    } else {
                        assertEquals(0.0, Math.abs(tokens[i * width + t]));
                        assertEquals(0f, mask[i * width + t]);
                    }
                }
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
