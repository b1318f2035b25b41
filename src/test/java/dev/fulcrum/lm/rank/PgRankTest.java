package dev.fulcrum.lm.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PG-Rank's estimator: on average it is the exact gradient of the expected nDCG (computed by enumerating every ranking
 * and differencing), and following it raises the expected nDCG of a free score vector to the ideal ranking's.
 */
class PgRankTest {
    private static final int[] GRADES = {0, 2, 1};
    private static final int[] ALL = {2, 1};

    /** E_{r ~ PL(s)}[nDCG@cutoff(r)] by enumeration. */
    static double expectedNdcg(double[] s, int[] grades, int[] all, int cutoff) {
        double e = 0;
        for (int[] p : PlackettLuceTest.permutations(s.length)) {
            int[] ranked = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                ranked[i] = grades[p[i]];
            }
            e += Math.exp(PlackettLuce.logProbability(s, p, p.length)) * RankingMetrics.ndcg(ranked, all, cutoff);
        }
        return e;
    }

    @Test
    void estimatorIsUnbiased() {
        double[] s0 = {0.4, -0.3, 0.1};
        double h = 1e-6;
        double[] exact = new double[3];
        for (int i = 0; i < 3; i++) {
            double[] plus = s0.clone(), minus = s0.clone();
            plus[i] += h;
            minus[i] -= h;
            exact[i] = (expectedNdcg(plus, GRADES, ALL, 2) - expectedNdcg(minus, GRADES, ALL, 2)) / (2 * h);
        }
        Rng rng = new Rng(3);
        int rounds = 3000;
        double[] mean = new double[3];
        try (NDManager m = Torch.newManager()) {
            NDArray s = m.create(s0);
            s.setRequiresGradient(true);
            for (int r = 0; r < rounds; r++) {
                Torch.zeroGradient(s);
                try (NDScope ignored = new NDScope(); Torch.Tape tape = new Torch.Tape()) {
                    tape.backward(PgRank.loss(m, s, GRADES, ALL, 4, 2, rng).loss());
                }
                double[] g = s.getGradient().toDoubleArray();
                for (int i = 0; i < 3; i++) {
                    mean[i] -= g[i] / rounds; // the surrogate's gradient is minus the estimate
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(exact[i], mean[i], 0.01, "component " + i + ": exact " + exact[i] + ", estimated " + mean[i]);
        }
        assertTrue(exact[1] > 0.05 && exact[0] < -0.05, "the grade-2 item should gain and the grade-0 item lose");
    }

    @Test
    void trainingRaisesExpectedNdcgOfAFreePolicy() {
        int[] grades = {0, 2, 0, 1, 0, 1};
        int[] all = {2, 1, 1};
        try (NDManager m = Torch.newManager()) {
            NDArray s = m.create(new double[6]).toType(DataType.FLOAT32, false);
            s.setRequiresGradient(true);
            Adam adam = new Adam(m, Map.of("s", s), 0.05);
            Rng rng = new Rng(11);
            double before = expectedNdcg(toDouble(s), grades, all, 3);
            for (int step = 0; step < 150; step++) {
                adam.zeroGradients();
                try (NDScope ignored = new NDScope(); Torch.Tape tape = new Torch.Tape()) {
                    tape.backward(PgRank.loss(m, s, grades, all, 8, 3, rng).loss());
                }
                adam.step();
            }
            double after = expectedNdcg(toDouble(s), grades, all, 3);
            assertTrue(before < 0.7, "uniform policy: " + before);
            assertTrue(after > 0.95, "expected nDCG@3 went from " + before + " to " + after);
        }
    }

    private static double[] toDouble(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
