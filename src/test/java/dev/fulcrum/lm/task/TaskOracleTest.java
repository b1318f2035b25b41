package dev.fulcrum.lm.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The oracle contract for every family, the exact reward values of the graded corruptions, and reproducibility. */
class TaskOracleTest {
    static final int PER_FAMILY = 300;

    @Test
    void referenceScoresOneAndCorruptionsDescend() {
        for (TaskFamily f : TaskSuite.families()) {
            for (Problem p : TaskSuite.problems(f, 1, PER_FAMILY)) {
                String where = f.name() + ": " + p.prompt().strip();
                assertEquals(f.name(), p.family());
                assertTrue(p.prompt().endsWith("\n") && !p.prompt().strip().isEmpty(), where);
                assertEquals(1.0, p.score(p.reference()), 0.0, where);
                assertEquals(1.0, p.score("  " + p.reference() + "\n"), 0.0, "surrounding white space is ignored: " + where);
                assertTrue(p.corruptions().size() >= 3, where);
                double previous = 1.0;
                for (String c : p.corruptions()) {
                    double s = p.score(c);
                    assertTrue(s >= 0 && s < previous, where + " | corruption '" + c + "' scores " + s + " after " + previous);
                    previous = s;
                }
                for (String garbage : List.of("", "Answer:", "zzz 12 <call></call>", p.prompt(), p.prompt() + p.prompt())) {
                    double s = p.score(garbage);
                    assertTrue(s >= 0 && s <= 1, where + " | garbage scores " + s);
                }
                boolean complex = f.split() == Split.COMPLEX; // multi-tool families: more steps, longer transcripts
                assertTrue(p.steps() >= 1 && p.steps() <= (complex ? 4 : 3));
                int bytes = (p.prompt() + p.reference()).getBytes(StandardCharsets.UTF_8).length;
                assertTrue(bytes <= (complex ? 300 : 260), "prompts and responses stay short: " + bytes + " bytes in " + where);
                if (complex) {
                    assertTrue(p.reference().getBytes(StandardCharsets.UTF_8).length <= 230, "fits a 256-token budget: " + where);
                }
            }
        }
    }

    @Test
    void corruptionRewardsAreTheDocumentedValues() {
        Problem arith = TaskSuite.problem("arith-add", 3, 0);
        assertScores(arith, List.of(0.25, 0.125, 0.5 / 11, 0.0));

        Problem sort = TaskSuite.problem("sort-asc", 3, 0);
        int n = sort.reference().split(" ").length;
        double pairs = n * (n - 1) / 2.0;
        assertScores(sort, List.of(1 - 1 / pairs, 1 - 2 / pairs, 0.0));

        Problem str = TaskSuite.problem("str-reverse", 3, 0);
        int len = str.reference().length();
        assertScores(str, List.of((len - 1.0) / len, (len - 2.0) / len, 1.0 / len, 0.0));

        Problem summary = TaskSuite.problem("summary-person", 3, 0);
        assertScores(summary, List.of(0.75, 0.5, 0.25, 0.0));
        String copy = summary.prompt().substring("Summarise: ".length());
        assertTrue(summary.score(copy) < 1.0, "copying the document is penalised for length");

        assertScores(TaskSuite.problem("tool-calc", 3, 0), List.of(0.6, 0.4, 0.3, 0.0));
        assertScores(TaskSuite.problem("tool-price", 3, 0), List.of(0.85, 0.4, 0.15, 0.0));
        assertScores(TaskSuite.problem("tool-basket", 3, 0), List.of(0.9, 0.4, 0.2, 0.0));
    }

    private static void assertScores(Problem p, List<Double> want) {
        assertEquals(want.size(), p.corruptions().size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), p.score(p.corruptions().get(i)), 1e-12, p.family() + " corruption " + i);
        }
    }

    @Test
    void examplesReadAsDocumented() {
        Problem p = TaskSuite.problem("tool-price", 5, 2);
        assertTrue(p.reference().matches("<call>lookup\\((price|weight), [a-z]+\\)</call><result>\\d+</result>"
                + "<call>calc\\(\\d+\\*\\d+\\)</call><result>\\d+</result>Answer: \\d+"), p.reference());
        assertEquals(p.reference(), ToolExecutor.run(p.reference()), "the reference's results are the executor's");
        Problem s = TaskSuite.problem("str-dedupe", 5, 2);
        String word = s.prompt().substring("dedupe: ".length()).strip();
        assertEquals(word.chars().distinct().count(), s.reference().length());
        Problem sorted = TaskSuite.problem("sort-desc", 5, 2);
        List<Long> nums = TextScores.integers(sorted.reference());
        for (int i = 1; i < nums.size(); i++) {
            assertTrue(nums.get(i - 1) > nums.get(i));
        }
    }

    @Test
    void generationIsReproducible() {
        for (TaskFamily f : TaskSuite.families()) {
            Problem a = TaskSuite.problem(f.name(), 42, 17), b = TaskSuite.problem(f.name(), 42, 17);
            assertEquals(a.prompt(), b.prompt());
            assertEquals(a.reference(), b.reference());
            assertEquals(a.corruptions(), b.corruptions());
            Set<String> prompts = new HashSet<>();
            for (int seed = 0; seed < 20; seed++) {
                prompts.add(TaskSuite.problem(f.name(), seed, 0).prompt());
            }
            assertTrue(prompts.size() >= 10, f.name() + " varies with the seed");
        }
    }

    @Test
    void heldOutFamiliesAreDisjoint() {
        List<TaskFamily> in = TaskSuite.select("in-distribution"), out = TaskSuite.select("held-out");
        assertFalse(in.isEmpty() || out.isEmpty());
        Set<String> inNames = new HashSet<>(in.stream().map(TaskFamily::name).toList());
        for (TaskFamily f : out) {
            assertFalse(inNames.contains(f.name()));
            assertEquals(Split.HELD_OUT, f.split());
        }
        assertEquals(TaskSuite.families().size(), in.size() + out.size() + TaskSuite.select("complex").size());
        // no held-out prompt occurs in the in-distribution data, and held-out prompts follow their own templates
        Set<String> inPrompts = new HashSet<>(), inOpenings = new HashSet<>();
        for (TaskFamily f : in) {
            for (Problem p : TaskSuite.problems(f, 9, 500)) {
                inPrompts.add(p.prompt());
                inOpenings.add(opening(p));
            }
        }
        for (TaskFamily f : out) {
            for (Problem p : TaskSuite.problems(f, 9, 500)) {
                assertFalse(inPrompts.contains(p.prompt()), p.prompt());
            }
        }
        assertFalse(inOpenings.contains("sort descending:") || inOpenings.contains("dedupe:"));
        assertEquals(List.of("arith-add", "arith-mul"), TaskSuite.select("arith-add, arith-mul, arith-add").stream().map(TaskFamily::name).toList());
        var e = assertThrows(IllegalArgumentException.class, () -> TaskSuite.select("arith-add,nope"));
        assertTrue(e.getMessage().contains("unknown task family 'nope'"), e.getMessage());
    }

    private static String opening(Problem p) {
        String[] w = p.prompt().split(" ");
        return w.length > 1 && w[0].equals("sort") ? w[0] + " " + w[1] : w[0];
    }

    @Test
    void bradleyTerryProbabilitiesMatchTheFormula() {
        Problem p = TaskSuite.problem("arith-add", 2, 0);
        String best = p.reference(), worse = p.corruptions().get(0); // rewards 1 and 0.25
        BradleyTerryOracle bt = new BradleyTerryOracle(0.5);
        assertEquals(1 / (1 + Math.exp(-1.5)), bt.probability(p, best, worse), 1e-15);
        assertEquals(0.8175744761936437, bt.probability(p, best, worse), 1e-15); // sigma(1.5)
        assertEquals(1.0, bt.probability(p, best, worse) + bt.probability(p, worse, best), 1e-15);
        assertEquals(0.5, bt.probability(p, best, best), 0.0);
        Rng rng = new Rng(5);
        int wins = 0, n = 40_000;
        for (int i = 0; i < n; i++) {
            wins += bt.firstWins(p, best, worse, rng) ? 1 : 0;
        }
        assertEquals(0.8175744761936437, (double) wins / n, 0.01, "sampled labels follow the known probability");
        assertThrows(IllegalArgumentException.class, () -> new BradleyTerryOracle(0));
    }

    @Test
    void intransitiveOracleHasACycle() {
        Problem p = TaskSuite.problem("arith-add", 2, 0);
        String answer = p.reference().substring(p.reference().indexOf("Answer:"));
        String style2 = answer, style0 = "So. " + answer, style1 = "So then. " + answer; // 2, 3 and 4 words
        assertEquals(List.of(1.0, 1.0, 1.0), List.of(p.score(style0), p.score(style1), p.score(style2)));
        assertEquals(List.of(0, 1, 2), List.of(IntransitiveOracle.style(style0), IntransitiveOracle.style(style1),
                IntransitiveOracle.style(style2)));
        IntransitiveOracle o = new IntransitiveOracle(0.25, 0.5);
        double p10 = o.probability(p, style1, style0), p21 = o.probability(p, style2, style1), p02 = o.probability(p, style0, style2);
        double expected = 1 / (1 + Math.exp(-2.0)); // sigma(lambda / t)
        assertEquals(expected, p10, 1e-15);
        assertEquals(expected, p21, 1e-15);
        assertEquals(expected, p02, 1e-15);
        assertTrue(p10 > 0.5 && p21 > 0.5 && p02 > 0.5, "1 beats 0, 2 beats 1, 0 beats 2: a cycle");
        assertEquals(1.0, o.probability(p, style0, style1) + p10, 1e-15);
        // quality dominates when the reward gap exceeds lambda: the reference beats a bare wrong answer of any style
        String bad = p.corruptions().getLast();
        assertTrue(o.probability(p, p.reference(), bad) > 0.5);
        assertTrue(o.probability(p, style0, bad) > 0.5 && o.probability(p, style1, bad) > 0.5 && o.probability(p, style2, bad) > 0.5);
        assertNotEquals(IntransitiveOracle.cycle(style0, style1), IntransitiveOracle.cycle(style1, style0));
    }

    @Test
    void goldRewardFindsProblemsByPrompt() {
        List<Problem> problems = TaskSuite.problems(TaskSuite.family("sort-asc"), 4, 20);
        GoldReward gold = new GoldReward(problems);
        Problem p = problems.get(7);
        assertEquals(1.0, gold.score(p.prompt(), p.reference()));
        assertEquals(p.score("1 2 3"), gold.score(p.prompt(), "1 2 3"));
        assertThrows(IllegalArgumentException.class, () -> gold.score("sort: 1\n", "1"));
    }
}
