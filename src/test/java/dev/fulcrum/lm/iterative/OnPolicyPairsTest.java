package dev.fulcrum.lm.iterative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** On-policy pair construction: best vs worst by gold reward, the gap filter, ties and degenerate samples, worked by hand. */
class OnPolicyPairsTest {

    private static final BradleyTerryOracle BT = new BradleyTerryOracle(0.1);

    @Test
    void bestAgainstWorstWithTheGapFilter() {
        Problem clear = new TableProblem("p1\n", Map.of("a", 0.9, "b", 0.2, "c", 0.5, "d", 0.2));
        Problem close = new TableProblem("p2\n", Map.of("x", 0.55, "y", 0.5, "z", 0.52));
        Problem tied = new TableProblem("p3\n", Map.of("s", 0.7, "t", 0.7));
        List<List<String>> samples = List.of(List.of("b", "a", "c", "d"), List.of("x", "y", "z"), List.of("s", "t"));

        OnPolicyPairs.Built built = OnPolicyPairs.fromSamples(List.of(clear, close, tied), samples, 0.1, BT, 5.0);
        assertEquals(1, built.pairs().size(), "only p1's gap 0.7 passes 0.1; p2's 0.05 does not; p3 ties");
        PreferenceExample row = built.pairs().getFirst();
        assertEquals("p1\n", text(row.prompt()));
        assertEquals("a", text(row.chosen()));
        assertEquals("b", text(row.rejected()), "the first of the two worst (b and d score 0.2)");
        assertEquals(PreferenceOracle.sigmoid(0.7 / 0.1), row.extra().get("p_chosen").asDouble(), 1e-12);
        assertEquals(0.9, row.extra().get("chosen_reward").asDouble(), 1e-12);
        assertEquals(0.2, row.extra().get("rejected_reward").asDouble(), 1e-12);
        assertEquals("table", row.extra().get("family").asText());

        OnPolicyPairs.Stats st = built.stats();
        assertEquals(3, st.prompts());
        assertEquals(9, st.samples());
        assertEquals(1, st.pairs());
        assertEquals(2, st.promptsWithoutPair());
        assertEquals((0.9 + 0.2 + 0.5 + 0.2 + 0.55 + 0.5 + 0.52 + 0.7 + 0.7) / 9, st.meanSampleReward(), 1e-12);
        assertEquals((0.9 + 0.55 + 0.7) / 3, st.meanBestReward(), 1e-12);
        assertEquals((0.2 + 0.5 + 0.7) / 3, st.meanWorstReward(), 1e-12);
        assertEquals(0.7, st.meanPairGap(), 1e-12);
        assertEquals(5.0, st.samplesPerSecond());

        // without a gap filter the close pair is kept too (tied samples still are not)
        OnPolicyPairs.Built all = OnPolicyPairs.fromSamples(List.of(clear, close, tied), samples, 0, BT, 5.0);
        assertEquals(2, all.pairs().size());
        assertEquals(List.of("x", "y"), List.of(text(all.pairs().get(1).chosen()), text(all.pairs().get(1).rejected())));
        assertEquals((0.7 + 0.05) / 2, all.stats().meanPairGap(), 1e-12);
        // a floor on the chosen reward: p1's best (0.9) passes 0.9, p2's (0.55) does not even without a gap filter
        OnPolicyPairs.Built floored = OnPolicyPairs.fromSamples(List.of(clear, close, tied), samples, 0, 0.9, BT, 5.0);
        assertEquals(List.of("a"), floored.pairs().stream().map(r -> text(r.chosen())).toList());
        assertEquals(2, floored.stats().promptsWithoutPair());
        assertTrue(OnPolicyPairs.fromSamples(List.of(clear), samples.subList(0, 1), 0, 0.95, BT, 5.0).pairs().isEmpty());
        // p1's gap of 0.7 passes 0.6, not 0.8
        assertEquals(1, OnPolicyPairs.fromSamples(List.of(clear, close), samples.subList(0, 2), 0.6, BT, 1).pairs().size());
        assertTrue(OnPolicyPairs.fromSamples(List.of(clear, close), samples.subList(0, 2), 0.8, BT, 1).pairs().isEmpty());
    }

    @Test
    void identicalOrBlankSamplesGiveNoPair() {
        Problem p = new TableProblem("p\n", Map.of("good", 1.0, "", 0.0));
        OnPolicyPairs.Built same = OnPolicyPairs.fromSamples(List.of(p), List.of(List.of("good", "good", "good")), 0, BT, 1);
        assertTrue(same.pairs().isEmpty());
        assertEquals(1, same.stats().promptsWithoutPair());
        assertTrue(Double.isNaN(same.stats().meanPairGap()));
        assertTrue(OnPolicyPairs.fromSamples(List.of(p), List.of(List.of("good", "")), 0, BT, 1).pairs().isEmpty(),
                "a blank worst sample gives no preference row");
    }

    @Test
    void badInputIsRejected() {
        Problem p = new TableProblem("p\n", Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnPolicyPairs.fromSamples(List.of(p), List.of(List.of("only")), 0, BT, 1));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OnPolicyPairs.fromSamples(List.of(p), List.of(), 0, BT, 1));
        e = assertThrows(IllegalArgumentException.class, () -> new OnPolicyPairs.Settings(1, 0.8, 0.1, 0, 16, 1, 8));
        assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new OnPolicyPairs.Settings(4, 0, 0.1, 0, 16, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> new OnPolicyPairs.Settings(4, 0.8, 1.5, 0, 16, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> new OnPolicyPairs.Settings(4, 0.8, 0.1, 1.2, 16, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> new PairSelection.ScalarReward(-0.1));
    }

    private static String text(dev.fulcrum.lm.data.Content c) {
        return ((dev.fulcrum.lm.data.Content.Text) c).text();
    }
}
