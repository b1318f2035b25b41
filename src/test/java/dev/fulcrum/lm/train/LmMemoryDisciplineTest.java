package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.GradientClipping;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.GenerationConfig;
import dev.fulcrum.lm.model.Generator;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.model.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training steps and generation calls must not grow the number of live tensors. */
class LmMemoryDisciplineTest {

    private static int live(NDManager m) {
        return m.getManagedArrays().size() + m.getParentManager().getManagedArrays().size();
    }

    private static void work(DecoderLm model, Adam adam, NDManager m, Rng rng) {
        try (NDScope ignored = new NDScope()) {
            adam.zeroGradients();
            try (Torch.Tape tape = new Torch.Tape()) {
                NDArray loss = TokenCrossEntropy.loss(SequenceScorer.score(model, m,
                        List.of(new int[] {1, 2}, new int[] {3}), List.of(new int[] {4, 5, 6}, new int[] {7})));
                tape.backward(loss);
            }
            GradientClipping.clip(model.parameters().values(), 1.0);
            adam.step();
        }
        new Generator(model).generate(m, List.of(new int[] {1, 2, 3}, new int[] {4}), GenerationConfig.sampling(4, 1.0, 5, 0.9), rng);
    }

    @Test
    void flatOverManyStepsAndGenerations() {
        for (LmConfig c : List.of(TinyModels.GPT2, TinyModels.LLAMA)) {
            try (NDManager m = Torch.newManager()) {
                DecoderLm model = TinyModels.random(m, c, DataType.FLOAT32, 4);
                Adam adam = new Adam(m, model.parameters(), 1e-3);
                Rng rng = new Rng(0);
                for (int i = 0; i < 5; i++) {
                    work(model, adam, m, rng);
                }
                int before = live(m);
                for (int i = 0; i < 60; i++) {
                    work(model, adam, m, rng);
                }
                assertEquals(before, live(m), c.family() + ": live tensors after 60 more steps");
                m.create(1f);
                assertTrue(live(m) > before, "the probe must see a leak");
            }
        }
    }
}
