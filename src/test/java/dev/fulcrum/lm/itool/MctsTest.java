package dev.fulcrum.lm.itool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The search on a toy tree with a deterministic fake policy and fixed rewards, every number worked out by hand: UCT
 * scores, the selection order, backed-up values and visits, the depth limit, merging of equal steps, and the pairs.
 */
class MctsTest {
    private static final double LN_HALF = Math.log(0.5), LN_QUARTER = Math.log(0.25);

    /** Candidates by prefix; records (prefix, wholeRest) of every call. */
    static final class ToyPolicy implements Mcts.StepPolicy {
        final Map<String, List<Mcts.Candidate>> byPrefix = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public List<Mcts.Candidate> sample(String prefix, int count, boolean wholeRest) {
            calls.add(prefix + (wholeRest ? " [whole]" : ""));
            List<Mcts.Candidate> out = byPrefix.get(prefix);
            assertEquals(count, out.size());
            return out;
        }
    }

    private static final Map<String, Double> REWARDS = Map.of(
            "a|x", 0.5, "b|y", 0.9, "c|z", 0.1,
            "b|p|q", 1.0, "b|r|s", 0.6,
            "b|p|END", 0.95);

    private static ToyPolicy toy() {
        ToyPolicy p = new ToyPolicy();
        p.byPrefix.put("", List.of(new Mcts.Candidate("a|", "x", LN_HALF, false), new Mcts.Candidate("b|", "y", LN_QUARTER, false),
                new Mcts.Candidate("c|", "z", LN_QUARTER, false)));
        p.byPrefix.put("b|", List.of(new Mcts.Candidate("p|", "q", LN_HALF, false), new Mcts.Candidate("r|", "s", LN_HALF, false),
                new Mcts.Candidate("p|", "q", LN_HALF, false))); // the same step twice: one child
        p.byPrefix.put("b|p|", List.of(new Mcts.Candidate("END", "", LN_HALF, true), new Mcts.Candidate("END", "", LN_HALF, true),
                new Mcts.Candidate("END", "", LN_HALF, true)));
        return p;
    }

    private static Mcts search(ToyPolicy policy, int iterations) {
        Mcts m = new Mcts(policy, r -> REWARDS.getOrDefault(r, 0.0), Mcts.Settings.paper(iterations));
        m.search();
        return m;
    }

    @Test
    void firstIterationExpandsTheRootAndValuesEachChildByItsRollout() {
        Mcts m = search(toy(), 1);
        Mcts.Node root = m.root();
        assertEquals(3, root.visits());
        assertEquals((0.5 + 0.9 + 0.1) / 3, root.value(), 1e-12);
        List<Mcts.Node> c = root.children();
        assertEquals(List.of("a|", "b|", "c|"), c.stream().map(Mcts.Node::step).toList());
        assertEquals(List.of(0.5, 0.9, 0.1), c.stream().map(Mcts.Node::value).toList());
        assertEquals(0.5, c.get(0).prior(), 1e-12);
        assertEquals(0.25, c.get(1).prior(), 1e-12);
        // UCT = Q + c p sqrt(ln N(parent) / (1 + N)), c = 1, N(parent) = 3, N = 1
        double bonus = Math.sqrt(Math.log(3) / 2);
        assertEquals(0.5 + 0.5 * bonus, c.get(0).uct(1.0), 1e-12);
        assertEquals(0.9 + 0.25 * bonus, c.get(1).uct(1.0), 1e-12); // 1.0853 > 0.8706 (a) > 0.2853 (c)
        assertEquals(0.1 + 0.25 * bonus, c.get(2).uct(1.0), 1e-12);
    }

    @Test
    void selectionOrderBackupAndDepthLimitByHand() {
        ToyPolicy policy = toy();
        Mcts m = search(policy, 4);
        Mcts.Node root = m.root(), b = root.children().get(1);
        // 1: root expanded. 2: b (UCT 1.085 vs a 0.871) expanded; p sampled twice is one child with two rollouts.
        assertEquals(List.of("", "b|", "b|p| [whole]"), policy.calls.subList(0, 3));
        assertEquals(List.of("", "b|", "b|p|", "b|p|END"), m.selections().stream().map(Mcts.Node::prefix).toList());
        Mcts.Node p = b.children().get(0), r = b.children().get(1);
        assertEquals(List.of("p|", "r|"), b.children().stream().map(Mcts.Node::step).toList());
        // after iteration 2: p has rollouts 1.0, 1.0; r 0.6; b 0.9, 1.0, 0.6, 1.0
        // iteration 3 selection at the root: N(root) = 6
        double ln6 = Math.log(6);
        double uctA = 0.5 + 0.5 * Math.sqrt(ln6 / 2), uctB = 3.5 / 4 + 0.25 * Math.sqrt(ln6 / 5);
        assertTrue(uctB > uctA, uctB + " vs " + uctA); // 1.0247 > 0.9733
        // at b (N = 4): p 1.0 + 0.5 sqrt(ln4/3) = 1.340 beats r 0.6 + 0.5 sqrt(ln4/2) = 1.016; p is at depth 2: whole rest
        // iteration 3 expands p with three equal terminal steps: one child END valued 0.95 three times
        Mcts.Node end = p.children().getFirst();
        assertEquals(1, p.children().size());
        assertTrue(end.terminal());
        assertEquals(3, end.depth());
        // iteration 4, N(root) = 9: b 6.35/7 + 0.25 sqrt(ln9/8) = 1.038 > a 0.5 + 0.5 sqrt(ln9/2) = 1.024; at b (N = 7):
        // p 4.85/5 + 0.5 sqrt(ln7/6) = 1.245 > r 0.6 + 0.5 sqrt(ln7/2) = 1.093; then END, terminal: its reward once more
        assertEquals(4, end.visits());
        assertEquals(0.95, end.value(), 1e-12);
        assertEquals(2 + 4, p.visits());
        assertEquals((2 * 1.0 + 4 * 0.95) / 6, p.value(), 1e-12);
        assertEquals(1, r.visits());
        assertEquals(1 + 2 + 1 + 4, b.visits());
        assertEquals((0.9 + 2 * 1.0 + 0.6 + 4 * 0.95) / 8, b.value(), 1e-12);
        assertEquals(3 + 3 + 4, root.visits());
        assertEquals((0.5 + 0.9 + 0.1 + 2 * 1.0 + 0.6 + 4 * 0.95) / 10, root.value(), 1e-12);
        assertEquals(new Mcts.Rollout("b|p|q", 1.0), b.bestRollout());
        assertEquals(new Mcts.Rollout("b|r|s", 0.6), b.worstRollout());
    }

    @Test
    void pairsAreBestAgainstWorstChildWhenTheGapIsLargeEnough() {
        Mcts m = search(toy(), 2);
        List<Mcts.Pair> pairs = m.pairs();
        // root: b (0.9) vs c (0.1); b|: p (1.0) vs r (0.6)
        assertEquals(2, pairs.size());
        Mcts.Pair top = pairs.get(0), second = pairs.get(1);
        assertEquals("", top.prefix());
        assertEquals("b|p|q", top.chosen()); // b's step and the best rollout through b
        assertEquals("c|z", top.rejected());
        assertEquals((0.9 + 1.0 + 1.0 + 0.6) / 4, top.chosenValue(), 1e-12);
        assertEquals(0.1, top.rejectedValue(), 1e-12);
        assertEquals(0, top.depth());
        assertEquals("b|", second.prefix());
        assertEquals("p|q", second.chosen());
        assertEquals("r|s", second.rejected());
        assertEquals(1, second.depth());

        // a gap below 0.1 gives no pair; exactly 0.1 does
        ToyPolicy close = new ToyPolicy();
        close.byPrefix.put("", List.of(new Mcts.Candidate("a|", "x", LN_HALF, false), new Mcts.Candidate("d|", "w", LN_HALF, false),
                new Mcts.Candidate("e|", "v", LN_HALF, false)));
        Map<String, Double> rewards = Map.of("a|x", 0.5, "d|w", 0.45, "e|v", 0.42);
        Mcts near = new Mcts(close, rr -> rewards.getOrDefault(rr, 0.0), Mcts.Settings.paper(1));
        near.search();
        assertTrue(near.pairs().isEmpty());
        Map<String, Double> exact = Map.of("a|x", 0.5, "d|w", 0.45, "e|v", 0.4);
        Mcts edge = new Mcts(close, rr -> exact.getOrDefault(rr, 0.0), Mcts.Settings.paper(1));
        edge.search();
        assertEquals(1, edge.pairs().size());
        assertEquals("e|v", edge.pairs().getFirst().rejected());
    }

    @Test
    void aSingleChildGivesNoPairAndTheRootHasNoUct() {
        ToyPolicy one = new ToyPolicy();
        one.byPrefix.put("", List.of(new Mcts.Candidate("s", "", 0, true), new Mcts.Candidate("s", "", 0, true),
                new Mcts.Candidate("s", "", 0, true)));
        Mcts m = new Mcts(one, r -> 1.0, Mcts.Settings.paper(3));
        Mcts.Node root = m.search();
        assertEquals(1, root.children().size());
        assertSame(root.children().getFirst(), m.selections().get(2));
        assertEquals(3 + 1 + 1, root.visits());
        assertTrue(m.pairs().isEmpty());
        assertFalse(root.terminal());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> root.uct(1.0));
    }
}
