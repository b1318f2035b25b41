package dev.fulcrum.lm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link SequenceScorer#states}: the head applied to its states gives exactly {@link SequenceScorer#score}'s token
 * log-probabilities (prompts and completions of different lengths in one batch), and gradients flow through it.
 */
class CompletionStatesTest {
    private static final List<int[]> PROMPTS = List.of(new int[] {1, 4}, new int[] {2}, new int[] {3, 5, 7, 2});
    private static final List<int[]> COMPLETIONS = List.of(new int[] {6, 8, 9}, new int[] {10}, new int[] {4, 4});

    @Test
    void headOnStatesEqualsScoredLogProbs() {
        for (LmConfig config : List.of(TinyModels.GPT2, TinyModels.LLAMA)) {
            try (NDManager m = Torch.newManager(); NDScope ignored = new NDScope()) {
                DecoderLm model = TinyModels.random(m, config, DataType.FLOAT64, 3);
                SequenceScorer.CompletionStates s = SequenceScorer.states(model, m, PROMPTS, COMPLETIONS);
                assertArrayEquals(new long[] {3, 3, config.hiddenSize()}, s.hidden().getShape().getShape());
                assertArrayEquals(new int[] {3, 1, 2}, s.counts());
                double[] viaStates = TokenLogProbs.of(model.head(s.hidden()), s.targets()).mul(s.mask()).toDoubleArray();
                double[] viaScore = SequenceScorer.score(model, m, PROMPTS, COMPLETIONS).tokenLogProbs().toDoubleArray();
                assertArrayEquals(viaScore, viaStates, 1e-12, config.family().toString());
                assertArrayEquals(new double[] {1, 1, 1, 1, 0, 0, 1, 1, 0}, s.mask().toDoubleArray());
            }
        }
    }

    @Test
    void gradientsFlowThroughTheGather() {
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = TinyModels.random(m, TinyModels.LLAMA, DataType.FLOAT64, 5);
            Map<String, NDArray> some = Map.of("model.norm.weight", model.parameters().get("model.norm.weight"),
                    "model.layers.1.mlp.down_proj.weight", model.parameters().get("model.layers.1.mlp.down_proj.weight"));
            GradCheck.Result r = GradCheck.check(some, () -> {
                SequenceScorer.CompletionStates s = SequenceScorer.states(model, m, PROMPTS, COMPLETIONS);
                return s.hidden().sum(new int[] {2}).square().mul(s.mask()).sum();
            }, 1e-6, 12);
            assertEquals(0, r.maxRelativeError(), 1e-6, r.toString());
        }
    }
}
