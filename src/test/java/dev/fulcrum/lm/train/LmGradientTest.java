package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.lm.model.CompletionScores;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.model.TinyModels;
import dev.fulcrum.lm.model.TokenBatch;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (float64) of the language-model losses with respect to every parameter tensor of a tiny
 * model (a sample of elements each), through embeddings, masked attention with padding, norms, MLPs and the head.
 */
class LmGradientTest {
    private static final double TOL = 1e-6;

    private static LmConfig config(LmConfig.Family f) {
        return f == LmConfig.Family.GPT2 ? TinyModels.GPT2 : TinyModels.LLAMA;
    }

    @ParameterizedTest
    @EnumSource(LmConfig.Family.class)
    void tokenCrossEntropy(LmConfig.Family family) {
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = TinyModels.random(m, config(family), DataType.FLOAT64, 2);
            TokenBatch inputs = TokenBatch.of(List.of(new int[] {1, 4, 2, 9, 3}, new int[] {7, 5, 6}), 0, TokenBatch.Padding.RIGHT);
            NDArray targets = m.create(new long[] {4, 2, 9, 3, 10, 5, 6, 8, 0, 0}, new Shape(2, 5));
            NDArray mask = m.create(new double[] {0, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 5));
            GradCheck.Result r = GradCheck.check(model.parameters(),
                    () -> TokenCrossEntropy.loss(model.logits(m, inputs), targets, mask), 1e-6, 6);
            assertTrue(r.maxRelativeError() < TOL, family + ": " + r);
        }
    }

    /** A weighted combination of summed and length-normalised completion log-probabilities, as preference losses use. */
    @ParameterizedTest
    @EnumSource(LmConfig.Family.class)
    void completionScores(LmConfig.Family family) {
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = TinyModels.random(m, config(family), DataType.FLOAT64, 3);
            List<int[]> prompts = List.of(new int[] {1, 2, 3}, new int[] {4}, new int[] {5, 6});
            List<int[]> completions = List.of(new int[] {7, 8}, new int[] {9, 10, 1, 2}, new int[] {3});
            NDArray w = m.create(new double[] {1.0, -0.5, 2.0});
            NDArray u = m.create(new double[] {-1.5, 0.7, 0.3});
            GradCheck.Result r = GradCheck.check(model.parameters(), () -> {
                CompletionScores s = SequenceScorer.score(model, m, prompts, completions);
                return s.sums().mul(w).sum().add(s.means().mul(u).sum()).add(TokenCrossEntropy.loss(s));
            }, 1e-6, 6);
            assertTrue(r.maxRelativeError() < TOL, family + ": " + r);
        }
    }

    /** The loss value against a hand computation: logits (0, ln 2, ln 5) give p = (1, 2, 5) / 8. */
    @Test
    void crossEntropyValueByHand() {
        try (NDManager m = Torch.newManager()) {
            NDArray logits = m.create(new double[] {0, Math.log(2), Math.log(5), 0, Math.log(2), Math.log(5), 3, 3, 3},
                    new Shape(1, 3, 3));
            NDArray targets = m.create(new long[] {2, 0, 1}, new Shape(1, 3));
            NDArray mask = m.create(new double[] {1, 1, 0}, new Shape(1, 3)); // the third token is ignored
            double expected = -(Math.log(5.0 / 8) + Math.log(1.0 / 8)) / 2;
            assertEquals(expected, TokenCrossEntropy.loss(logits, targets, mask).toDoubleArray()[0], 1e-12);
        }
    }
}
