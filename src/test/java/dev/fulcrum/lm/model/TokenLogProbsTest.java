package dev.fulcrum.lm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.Torch;
import org.junit.jupiter.api.Test;

/** Log-probabilities of targets and the divergence of two next-token distributions, on cases worked out by hand. */
class TokenLogProbsTest {
    @Test
    void logProbabilityOfTargetsAndDivergenceByHand() {
        try (NDManager m = Torch.newManager()) {
            // row 0: p uniform over two tokens, q = (3/4, 1/4): KL(p || q) = 1/2 ln(1/2 / 3/4) + 1/2 ln(1/2 / 1/4) = 1/2 ln(4/3)
            // row 1: the same distribution (logits shifted by a constant): KL = 0
            NDArray p = m.create(new double[] {0, 0, 5, 1}, new Shape(2, 2));
            NDArray q = m.create(new double[] {Math.log(3), 0, 2, -2}, new Shape(2, 2));
            assertArrayEquals(new double[] {0.5 * Math.log(4.0 / 3), 0}, TokenLogProbs.klDivergence(p, q).toDoubleArray(), 1e-12);
            NDArray targets = m.create(new long[] {1, 0}, new Shape(2));
            assertArrayEquals(new double[] {Math.log(0.25), -Math.log1p(Math.exp(-4))},
                    TokenLogProbs.of(q, targets).toDoubleArray(), 1e-12);
        }
    }
}
