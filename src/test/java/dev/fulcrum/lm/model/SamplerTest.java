package dev.fulcrum.lm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/** The Java-side sampler against hand-computed distributions. */
class SamplerTest {
    private static final double[] LOGITS = {0.0, Math.log(2), Math.log(4), Math.log(1), Math.log(8)}; // weights 1,2,4,1,8

    private static double[] frequencies(GenerationConfig cfg, int draws) {
        Rng rng = new Rng(123);
        double[] f = new double[LOGITS.length];
        for (int i = 0; i < draws; i++) {
            f[Sampler.next(LOGITS, 0, LOGITS.length, cfg, rng)] += 1.0 / draws;
        }
        return f;
    }

    private static void assertClose(double[] expected, double[] actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "token " + i);
        }
    }

    @Test
    void greedyTakesTheFirstMaximum() {
        assertEquals(4, Sampler.next(LOGITS, 0, 5, GenerationConfig.greedy(1), new Rng(0)));
        assertEquals(1, Sampler.next(new double[] {9, 1, 3, 3, 0}, 1, 4, GenerationConfig.greedy(1), new Rng(0)),
                "ties go to the lower index, counted from the row's offset");
    }

    @Test
    void temperatureOneSamplesTheSoftmax() {
        assertClose(new double[] {1 / 16.0, 2 / 16.0, 4 / 16.0, 1 / 16.0, 8 / 16.0},
                frequencies(GenerationConfig.sampling(1, 1.0, 0, 1.0), 40_000), 0.01);
    }

    @Test
    void temperatureSharpens() {
        // T = 0.5 squares the weights: 1, 4, 16, 1, 64 (sum 86)
        assertClose(new double[] {1 / 86.0, 4 / 86.0, 16 / 86.0, 1 / 86.0, 64 / 86.0},
                frequencies(GenerationConfig.sampling(1, 0.5, 0, 1.0), 40_000), 0.01);
    }

    @Test
    void topKKeepsTheKMostLikely() {
        assertClose(new double[] {0, 2 / 14.0, 4 / 14.0, 0, 8 / 14.0}, frequencies(GenerationConfig.sampling(1, 1.0, 3, 1.0), 40_000), 0.01);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // sorted probabilities 8/16, 4/16, 2/16, ...: cumulative 0.5, 0.75 -> p = 0.7 keeps {4, 2}
        assertClose(new double[] {0, 0, 4 / 12.0, 0, 8 / 12.0}, frequencies(GenerationConfig.sampling(1, 1.0, 0, 0.7), 40_000), 0.01);
        double[] tiny = frequencies(GenerationConfig.sampling(1, 1.0, 0, 1e-6), 100);
        assertEquals(1.0, tiny[4], 1e-12, "a tiny p leaves the argmax only");
    }

    @Test
    void eachSampleDrawsOneNumber() {
        Rng a = new Rng(5), b = new Rng(5);
        Sampler.next(LOGITS, 0, 5, GenerationConfig.sampling(1, 1.0, 2, 0.9), a);
        b.nextDouble();
        assertTrue(a.state().equals(b.state()));
    }
}
