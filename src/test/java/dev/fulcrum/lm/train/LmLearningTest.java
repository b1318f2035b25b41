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
import dev.fulcrum.core.nn.WarmupCosine;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.model.Completion;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.GenerationConfig;
import dev.fulcrum.lm.model.Generator;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.SequenceScorer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A tiny Llama trained from scratch (Adam, warm-up + cosine schedule, global-norm clipping) on arithmetic progressions
 * modulo 16 with a random start and a step in {1, 2, 3}, scored given the first token: only the second token is
 * uncertain (ln 3), so the per-token loss can fall from ln 16 = 2.77 toward ln 3 / 11 = 0.10 (measured: 2.69 to 0.13
 * in 200 steps). It must fall clearly, and greedy decoding must continue unseen progressions.
 */
class LmLearningTest {
    private static final int VOCAB = 16;
    private static final int LENGTH = 12;

    private static int[] progression(Rng rng) {
        int start = rng.nextInt(VOCAB), step = 1 + rng.nextInt(3);
        int[] s = new int[LENGTH];
        for (int t = 0; t < LENGTH; t++) {
            s[t] = (start + step * t) % VOCAB;
        }
        return s;
    }

    @Test
    void lossFallsAndProgressionsAreContinued() {
        LmConfig c = LmConfig.llama(VOCAB, 32, 2, 4, 2, 64, LENGTH, 10000.0, false);
        int steps = 200, batch = 24;
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = DecoderLm.initialise(m, c, DataType.FLOAT32, new Rng(1));
            Adam adam = new Adam(m, model.parameters(), 3e-3);
            WarmupCosine schedule = new WarmupCosine(3e-3, 20, steps, 3e-4);
            Rng data = new Rng(2);
            double first = 0, last = 0;
            for (int step = 0; step < steps; step++) {
                List<int[]> prompts = new ArrayList<>(), completions = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    int[] s = progression(data);
                    prompts.add(new int[] {s[0]});
                    completions.add(java.util.Arrays.copyOfRange(s, 1, LENGTH));
                }
                try (NDScope ignored = new NDScope()) {
                    schedule.apply(adam);
                    adam.zeroGradients();
                    NDArray loss;
                    try (Torch.Tape tape = new Torch.Tape()) {
                        loss = TokenCrossEntropy.loss(SequenceScorer.score(model, m, prompts, completions));
                        tape.backward(loss);
                    }
                    GradientClipping.clip(model.parameters().values(), 1.0);
                    adam.step();
                    double value = loss.toFloatArray()[0];
                    if (step < 10) {
                        first += value / 10;
                    }
                    if (step >= steps - 10) {
                        last += value / 10;
                    }
                }
            }
            assertTrue(first > 2.4, "starts near ln 16: " + first);
            assertTrue(last < 0.4, "loss must fall clearly: first " + first + ", last " + last);

            Rng held = new Rng(99);
            List<int[]> prompts = new ArrayList<>();
            List<int[]> truths = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int[] s = progression(held);
                prompts.add(java.util.Arrays.copyOf(s, 3));
                truths.add(java.util.Arrays.copyOfRange(s, 3, 9));
            }
            List<Completion> out = new Generator(model).generate(m, prompts, GenerationConfig.greedy(6), new Rng(0));
            int correct = 0;
            for (int i = 0; i < out.size(); i++) {
                for (int t = 0; t < 6; t++) {
                    correct += out.get(i).tokens()[t] == truths.get(i)[t] ? 1 : 0;
                }
            }
            assertTrue(correct >= 0.9 * 120, "continued " + correct + " of 120 tokens correctly");
            assertEquals(steps, adam.steps());
        }
    }
}
