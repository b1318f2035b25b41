package dev.fulcrum.lm.iterative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.IntransitiveOracle;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pair selection by oracle win rate (DNO, INPO) and by the gold (Bradley-Terry) order (iterative DPO), worked by hand. */
class PairSelectionTest {

    private static final IntransitiveOracle CYCLE = new IntransitiveOracle(0.1, 0.3);

    /** Equal rewards, styles (words mod 3) 0, 1, 2: a pure cycle, every win rate is 1/2, so no pair is selected. */
    @Test
    void aPureCycleGivesNoPair() {
        List<String> c = List.of("a b c", "a", "a b");
        Problem p = new TableProblem(Map.of("a b c", 0.5, "a", 0.5, "a b", 0.5));
        double[] w = PairSelection.WinRate.winRates(p, c, CYCLE);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, w, 1e-12);
        assertTrue(new PairSelection.WinRate(0).select(p, c, CYCLE).isEmpty());
        // the gold order sees only ties as well
        assertTrue(new PairSelection.ScalarReward().select(p, c, CYCLE).isEmpty());
    }

    /**
     * "x" (style 1, reward 0.5) vs "x y" (style 2, reward 0.5) vs "x y z" (style 0, reward 0.9), t = 0.1, lambda = 0.3:
     * P(xy > x) = sigma(3); P(xyz > x) = sigma((0.4 - 0.3)/0.1) = sigma(1); P(xyz > xy) = sigma((0.4 + 0.3)/0.1) = sigma(7).
     */
    @Test
    void winRatesByHand() {
        List<String> c = List.of("x", "x y", "x y z");
        Problem p = new TableProblem(Map.of("x", 0.5, "x y", 0.5, "x y z", 0.9));
        double s1 = PreferenceOracle.sigmoid(1), s3 = PreferenceOracle.sigmoid(3), s7 = PreferenceOracle.sigmoid(7);
        double[] w = PairSelection.WinRate.winRates(p, c, CYCLE);
        assertEquals(((1 - s3) + (1 - s1)) / 2, w[0], 1e-12);
        assertEquals((s3 + (1 - s7)) / 2, w[1], 1e-12);
        assertEquals((s1 + s7) / 2, w[2], 1e-12);
        PairSelection.Pair pair = new PairSelection.WinRate(0).select(p, c, CYCLE).orElseThrow();
        assertEquals("x y z", pair.chosen());
        assertEquals("x", pair.rejected());
        assertEquals(w[2] - w[0], pair.margin(), 1e-12);
        // DNO's large-margin filter drops the pair when the gap is below the margin
        assertTrue(new PairSelection.WinRate(pair.margin() + 0.01).select(p, c, CYCLE).isEmpty());
        assertTrue(new PairSelection.WinRate(pair.margin() - 0.01).select(p, c, CYCLE).isPresent());
    }

    /** The cycle changes which response loses: by win rate "x y" (style 2) beats "x" (style 1), by gold they tie. */
    @Test
    void winRateAndGoldOrderDisagreeUnderTheCycle() {
        List<String> c = List.of("x", "x y", "p q r s");
        Problem p = new TableProblem(Map.of("x", 0.6, "x y", 0.6, "p q r s", 0.5));
        PairSelection.Pair byWinRate = new PairSelection.WinRate(0).select(p, c, CYCLE).orElseThrow();
        PairSelection.Pair byGold = new PairSelection.ScalarReward().select(p, c, CYCLE).orElseThrow();
        assertEquals("x y", byWinRate.chosen()); // beats "x" by the cycle, beats "p q r s" (style 1) by the cycle and reward
        assertEquals("x", byGold.chosen());      // first of the two best gold rewards
        assertEquals("p q r s", byGold.rejected());
    }

    @Test
    void underBradleyTerryWinRateFollowsTheGoldOrder() {
        List<String> c = List.of("a", "b", "c", "d");
        Problem p = new TableProblem(Map.of("a", 0.2, "b", 0.9, "c", 0.5, "d", 0.1));
        BradleyTerryOracle bt = new BradleyTerryOracle(0.1);
        PairSelection.Pair w = new PairSelection.WinRate(0).select(p, c, bt).orElseThrow();
        PairSelection.Pair g = new PairSelection.ScalarReward().select(p, c, bt).orElseThrow();
        assertEquals(List.of("b", "d"), List.of(w.chosen(), w.rejected()));
        assertEquals(List.of("b", "d"), List.of(g.chosen(), g.rejected()));
    }

    @Test
    void identicalOrBlankResponsesGiveNoPair() {
        Problem p = new TableProblem(Map.of("good", 1.0));
        assertTrue(new PairSelection.ScalarReward().select(p, List.of("good", ""), CYCLE).isEmpty());
        assertTrue(new PairSelection.WinRate(0).select(p, List.of("same", "same"), CYCLE).isEmpty());
    }
}
