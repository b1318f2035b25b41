package dev.fulcrum.lm.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The calculator, the lookup table and the executor of transcripts. */
class ToolExecutorTest {
    @Test
    void calculatorFollowsPrecedence() {
        assertEquals(14, Calculator.evaluate("2+3*4"));
        assertEquals(20, Calculator.evaluate("(2+3)*4"));
        assertEquals(-3, Calculator.evaluate(" 1 - 4 "));
        assertEquals(3, Calculator.evaluate("12/4"));
        assertEquals(1, Calculator.evaluate("10-4-5"));
        assertEquals(6, Calculator.evaluate("-(-6)"));
        for (String bad : List.of("7/2", "1/0", "2+", "(1", "abc", "", "99999999999999999999", "9223372036854775807*2")) {
            assertThrows(IllegalArgumentException.class, () -> Calculator.evaluate(bad), bad);
        }
    }

    @Test
    void executorWritesTrueResults() {
        assertEquals("888", ToolExecutor.resultFor("calc(37*24)"));
        assertEquals("5", ToolExecutor.resultFor("lookup(price, fig)"));
        assertEquals("90", ToolExecutor.resultFor(" lookup( WEIGHT ,Melon ) "));
        assertTrue(ToolExecutor.resultFor("lookup(colour, fig)").startsWith("error: no table 'colour'"));
        assertTrue(ToolExecutor.resultFor("lookup(price, banana)").startsWith("error: no item 'banana'"));
        assertTrue(ToolExecutor.resultFor("search(x)").startsWith("error: unknown tool 'search'"));
        assertTrue(ToolExecutor.resultFor("calc(7/2)").startsWith("error: 7/2 is not an integer"));
        assertTrue(ToolExecutor.resultFor("calc 3").startsWith("error"));

        String made = "<call>lookup(price, fig)</call><result>9</result><call>calc(3*5)</call>Answer: 15";
        assertEquals("<call>lookup(price, fig)</call><result>5</result><call>calc(3*5)</call><result>15</result>Answer: 15",
                ToolExecutor.run(made), "made-up results are replaced and missing ones added");
        List<ToolExecutor.Call> calls = ToolExecutor.calls(made);
        assertEquals(2, calls.size());
        assertEquals("lookup", calls.get(0).tool());
        assertEquals(List.of("price", "fig"), calls.get(0).arguments());
        assertEquals("9", calls.get(0).writtenResult());
        assertEquals(null, calls.get(1).writtenResult());
    }

    @Test
    void generationPausesAtAnOpenCall() {
        String partial = "<call>lookup(price, fig)</call>";
        assertTrue(ToolExecutor.awaitsResult(partial));
        String resumed = ToolExecutor.run(partial);
        assertEquals("<call>lookup(price, fig)</call><result>5</result>", resumed);
        assertFalse(ToolExecutor.awaitsResult(resumed));
        assertFalse(ToolExecutor.awaitsResult("<call>calc(1+1)</call> and more"));
        assertFalse(ToolExecutor.awaitsResult("no calls"));
    }

    @Test
    void toolRewardChecksExecution() {
        Problem p = TaskSuite.problem("tool-price", 1, 0);
        // a transcript whose results came from the executor but whose steps are in another order still scores 1
        String answer = p.reference().substring(p.reference().indexOf("Answer:"));
        List<ToolExecutor.Call> calls = ToolExecutor.calls(p.reference());
        String swappedCalc = "<call>calc(" + String.join("*", new StringBuilder(calls.get(1).body().replaceAll("calc\\(|\\)", ""))
                .toString().split("\\*")[1], calls.get(1).body().replaceAll("calc\\(|\\)", "").split("\\*")[0]) + ")</call>";
        String other = ToolExecutor.run("<call>" + calls.get(0).body() + "</call>" + swappedCalc + answer);
        assertEquals(1.0, p.score(other), 1e-12, other);
        assertTrue(p.score("<call>lookup(price, nothing)</call><result>error: x</result>" + answer) < 0.7);
    }
}
