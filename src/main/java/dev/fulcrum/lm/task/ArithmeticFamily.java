package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;
import java.util.List;

/**
 * Two-step arithmetic word problems with a verifiable integer answer. The reference shows the computation and ends with
 * {@code Answer: N}.
 * <ul>
 *   <li>{@code arith-add} (in-distribution): a start amount, a gain and a loss: {@code a+b-c};</li>
 *   <li>{@code arith-mul} (held-out): groups of equal size, minus some: {@code a*b-c}.</li>
 * </ul>
 * Gold reward ({@link TextScores#numericCredit}): 1 for the right final answer, 0.5/(1+|error|) for a wrong number, 0 for
 * none. Corruptions: the answer off by 1, by 3, by 10, and no answer at all (rewards 0.25, 0.125, 0.045, 0).
 */
public final class ArithmeticFamily implements TaskFamily {
    private static final List<String> ITEMS = List.of("apples", "pears", "coins", "cards", "shells", "stamps", "marbles", "eggs");
    private final boolean multiply;

    private ArithmeticFamily(boolean multiply) {
        this.multiply = multiply;
    }

    public static ArithmeticFamily addition() {
        return new ArithmeticFamily(false);
    }

    public static ArithmeticFamily multiplication() {
        return new ArithmeticFamily(true);
    }

    @Override
    public String name() {
        return multiply ? "arith-mul" : "arith-add";
    }

    @Override
    public Split split() {
        return multiply ? Split.HELD_OUT : Split.IN_DISTRIBUTION;
    }

    @Override
    public String description() {
        return multiply ? "word problems a*b-c (groups of equal size), integer answer"
                : "word problems a+b-c (gain then loss), integer answer";
    }

    @Override
    public Problem generate(Rng rng) {
        String name = Words.pick(Words.NAMES, rng);
        String item = Words.pick(ITEMS, rng);
        String prompt;
        String working;
        long answer;
        if (multiply) {
            int groups = 2 + rng.nextInt(8), size = 2 + rng.nextInt(8);
            int eaten = 1 + rng.nextInt(groups * size - 1);
            answer = (long) groups * size - eaten;
            prompt = name + " has " + groups + " bags with " + size + " " + item + " in each and gives away " + eaten
                    + ". How many " + item + " are left?\n";
            working = groups + "*" + size + "-" + eaten + "=" + answer + ".";
        } else {
            int start = 1 + rng.nextInt(20), gain = 1 + rng.nextInt(20);
            int loss = 1 + rng.nextInt(start + gain - 1);
            answer = (long) start + gain - loss;
            prompt = name + " has " + start + " " + item + ", gets " + gain + " more and gives away " + loss
                    + ". How many " + item + " now?\n";
            working = start + "+" + gain + "-" + loss + "=" + answer + ".";
        }
        String reference = working + " Answer: " + answer;
        long sign = rng.nextInt(2) == 0 ? 1 : -1;
        String stem = working.substring(0, working.indexOf('='));
        List<String> corruptions = List.of(
                stem + "=" + (answer + sign) + ". Answer: " + (answer + sign),
                stem + "=" + (answer - 3 * sign) + ". Answer: " + (answer - 3 * sign),
                stem + "=" + (answer + 10 * sign) + ". Answer: " + (answer + 10 * sign),
                "I do not know.");
        return new NumericProblem(name(), prompt, reference, answer, corruptions, 2);
    }

    /** A problem graded by its final integer answer. */
    record NumericProblem(String family, String prompt, String reference, long answer, List<String> corruptions, int steps)
            implements Problem {
        @Override
        public double score(String response) {
            return TextScores.numericCredit(response.strip(), answer);
        }
    }
}
