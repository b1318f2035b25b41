package dev.fulcrum.lm.pit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fulcrum.lm.align.RevisionPrompt;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The five orderings of a pair are exactly the stated ones: gap(w|l) > gap(w|w), gap(l|l) > gap(l|w), and so on. */
class GapOrderingTest {
    @Test
    void fiveOrderingsOfOnePair() {
        String w = "GOOD", l = "bad";
        List<GapOrdering> o = GapOrdering.of(w, l);
        assertEquals(GapOrdering.NAMES, o.stream().map(GapOrdering::name).toList());
        // (response | reference) of the higher and the lower side of each ordering
        String[][] expected = {
                {w, l, w, w},   // gap(w|l) > gap(w|w)
                {w, l, l, l},   // gap(w|l) > gap(l|l)
                {w, l, l, w},   // gap(w|l) > gap(l|w)
                {w, w, l, w},   // gap(w|w) > gap(l|w)
                {l, l, l, w}};  // gap(l|l) > gap(l|w)
        for (int i = 0; i < 5; i++) {
            GapOrdering g = o.get(i);
            assertEquals(expected[i][0], g.higher().response(), g.name());
            assertEquals(expected[i][1], g.higher().reference(), g.name());
            assertEquals(expected[i][2], g.lower().response(), g.name());
            assertEquals(expected[i][3], g.lower().reference(), g.name());
        }
    }

    @Test
    void theRewardModelReadsTheReferenceAsTheDraft() {
        GapOrdering.Revision r = new GapOrdering.Revision("bad", "GOOD");
        assertEquals(RevisionPrompt.revise("Upper: good\n", "bad"), r.prompt("Upper: good\n"));
        assertEquals("Upper: good\nDraft: bad\nRevised:\n", r.prompt("Upper: good\n"));
    }
}
