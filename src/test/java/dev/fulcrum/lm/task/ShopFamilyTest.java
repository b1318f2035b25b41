package dev.fulcrum.lm.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** tool-shop: the transcript follows the executor, difficulty varies, exact corruption rewards, groups unchanged. */
class ShopFamilyTest {
    @Test
    void referenceIsWhatTheExecutorWritesAndTheAnswerIsTheChange() {
        Set<Integer> steps = new HashSet<>();
        for (Problem p : TaskSuite.problems(TaskSuite.family("tool-shop"), 5, 200)) {
            assertEquals(p.reference(), ToolExecutor.run(p.reference()), "results are the executor's: " + p.prompt());
            List<ToolExecutor.Call> calls = ToolExecutor.calls(p.reference());
            assertEquals(p.steps(), calls.size());
            assertTrue(calls.stream().anyMatch(c -> c.tool().equals("lookup")) && calls.stream().anyMatch(c -> c.tool().equals("calc")));
            long total = Long.parseLong(calls.get(calls.size() - 2).writtenResult());
            int note = Integer.parseInt(p.prompt().replaceAll("(?s).* with a (\\d+)-coin note.*", "$1"));
            long change = Long.parseLong(calls.getLast().writtenResult());
            assertEquals(note - total, change);
            assertNotEquals(total, change);
            assertTrue(change > 0);
            assertTrue(p.reference().endsWith("Answer: " + change));
            steps.add(p.steps());
        }
        assertEquals(Set.of(3, 4), steps, "one or two kinds of items: 3 or 4 calls");
    }

    @Test
    void corruptionRewardsByHand() {
        for (int i = 0; i < 40; i++) {
            Problem p = TaskSuite.problem("tool-shop", 2, i);
            int k = p.steps() - 2; // lookups
            List<String> c = p.corruptions();
            assertEquals(0.6 + 0.3 * (k + 1) / (k + 2) + 0.1, p.score(c.get(0)), 1e-12, "no change calc");
            assertEquals(0.4, p.score(c.get(1)), 1e-12, "all steps, answer off by one");
            assertTrue(p.score(c.get(2)) >= 0.3 * k / (k + 2) - 1e-12 && p.score(c.get(2)) < 0.4, "made-up price");
            assertEquals(0.0, p.score(c.get(3)), 0.0);
        }
    }

    @Test
    void theOriginalGroupsAreUnchanged() {
        assertEquals(List.of("arith-add", "sort-asc", "str-reverse", "str-upper", "tool-calc", "tool-price", "summary-person"),
                TaskSuite.select("in-distribution").stream().map(TaskFamily::name).toList());
        assertEquals(List.of("tool-shop"), TaskSuite.select("complex").stream().map(TaskFamily::name).toList());
        assertEquals(Split.COMPLEX, TaskSuite.family("tool-shop").split());
    }
}
