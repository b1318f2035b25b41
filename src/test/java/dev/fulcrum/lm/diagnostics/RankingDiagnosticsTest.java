package dev.fulcrum.lm.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.diagnostics.RankingDiagnostics.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ranking-accuracy diagnostics on hand-computed pairs, and the flip theorem checked on random pairs. */
class RankingDiagnosticsTest {
    private static final double BETA = 0.1;
    private static final double EPS = 0.01;

    // A: the policy ranks correctly a pair the reference ranks wrongly (c = 1).
    private static final Pair A = new Pair(-10, -12, -11, -10, 5, 4, 1.0);
    // B: both rank it wrongly (c = 0.5); a 60/40 rater split.
    private static final Pair B = new Pair(-8, -7, -9, -8.5, 2, 4, 0.6);
    // C: both rank it correctly (c = -2); raters split evenly.
    private static final Pair C = new Pair(-5, -9, -4, -6, 1, 1, 0.5);

    @Test
    void handComputedPairs() {
        assertTrue(RankingDiagnostics.ranksCorrectly(A));
        assertFalse(RankingDiagnostics.ranksCorrectly(B));
        assertTrue(RankingDiagnostics.ranksCorrectlyLengthNormalised(A)); // -2 >= -3
        assertFalse(RankingDiagnostics.ranksCorrectlyLengthNormalised(B)); // -4 < -1.75
        assertEquals(1.0, RankingDiagnostics.difficulty(A), 1e-12);
        assertEquals(0.5, RankingDiagnostics.difficulty(B), 1e-12);
        assertEquals(-2.0, RankingDiagnostics.difficulty(C), 1e-12);
        // A: margin 0.1 * ((-10 + 11) - (-12 + 10)) = 0.3, loss ln(1 + e^-0.3); threshold ln(1 + e^-0.1)
        assertEquals(Math.log(1 + Math.exp(-0.3)), RankingDiagnostics.dpoLoss(A, BETA), 1e-12);
        assertEquals(0.554355244468527, RankingDiagnostics.dpoLoss(A, BETA), 1e-12);
        assertEquals(0.6443966600735709, RankingDiagnostics.flipThreshold(A, BETA), 1e-12);
        // B: margin 0.1 * (1 - 1.5) = -0.05
        assertEquals(0.7184596480132864, RankingDiagnostics.dpoLoss(B, BETA), 1e-12);
        assertEquals(0.6684596480132863, RankingDiagnostics.flipThreshold(B, BETA), 1e-12);
        // idealised: -c + logit(p)/beta; A: -1 + ln(99)/0.1 > 0; B: -0.5 + ln(1.5)/0.1 > 0; C: 2 + 0 >= 0
        assertTrue(RankingDiagnostics.idealisedRanksCorrectly(A, BETA, EPS));
        assertTrue(RankingDiagnostics.idealisedRanksCorrectly(B, BETA, EPS));
        assertTrue(RankingDiagnostics.idealisedRanksCorrectly(C, BETA, EPS));
        // with a large beta the idealised model follows the reference: B's 60/40 split no longer outweighs c = 0.5
        assertFalse(RankingDiagnostics.idealisedRanksCorrectly(B, 10.0, EPS)); // -0.5 + 0.0405 < 0
    }

    @Test
    void report() {
        RankingDiagnostics.Report r = RankingDiagnostics.report(List.of(A, B, C), BETA, EPS);
        assertEquals(3, r.pairs());
        assertEquals(2.0 / 3, r.rankingAccuracy(), 1e-12);
        assertEquals(2.0 / 3, r.lengthNormalisedRankingAccuracy(), 1e-12);
        assertEquals(1.0, r.idealisedRankingAccuracy(), 1e-12);
        assertEquals(1.0 / 3, r.alignmentGap(), 1e-12);
        assertEquals(1.0 / 3, r.referenceRankingAccuracy(), 1e-12);
        assertEquals(-1.0 / 6, r.meanDifficulty(), 1e-12);
        assertEquals(new RankingDiagnostics.FlipStatistics(2, 1, 1, 0), r.flips());
        assertEquals(0.5, r.flips().shareOfWrongFlipped(), 1e-12);
        assertEquals(0.0, r.flips().shareOfRightBroken(), 1e-12);
    }

    /** Thm 4.1: the policy ranks a pair correctly exactly when its DPO loss is at most -log sigma(beta c). */
    @Test
    void flipTheoremHoldsOnRandomPairs() {
        Rng rng = new Rng(7);
        for (int i = 0; i < 10_000; i++) {
            Pair p = new Pair(-20 * rng.nextDouble(), -20 * rng.nextDouble(), -20 * rng.nextDouble(), -20 * rng.nextDouble(),
                    1 + rng.nextInt(30), 1 + rng.nextInt(30), 0.5 + 0.5 * rng.nextDouble());
            double beta = 0.01 + 2 * rng.nextDouble();
            double gap = RankingDiagnostics.flipThreshold(p, beta) - RankingDiagnostics.dpoLoss(p, beta);
            if (Math.abs(gap) > 1e-9) { // away from the boundary, where rounding could decide either way
                assertEquals(RankingDiagnostics.ranksCorrectly(p), gap > 0, "pair " + p + " beta " + beta);
            }
        }
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> new Pair(0, 0, 0, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Pair(0, 0, 0, 0, 1, 1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> RankingDiagnostics.report(List.of(), BETA, EPS));
    }
}
