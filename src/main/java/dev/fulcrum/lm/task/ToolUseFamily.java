package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tool use with the {@link ToolExecutor} call syntax: facts come only from {@code lookup}, arithmetic from {@code calc}.
 * <ul>
 *   <li>{@code tool-calc} (in-distribution, 1 step): multiply two numbers with the calculator;</li>
 *   <li>{@code tool-price} (in-distribution, 2 steps): the price or weight of q items: one lookup, then calc;</li>
 *   <li>{@code tool-basket} (held-out, 3 steps): the total price of two kinds of items: two lookups, then calc.</li>
 * </ul>
 * Gold reward = 0.6 [final {@code Answer: N} right] + 0.3 (share of steps done: each needed lookup called with the right
 * table and item, and a calc call whose true value is the answer) + 0.1 [at least one call, and every call has the
 * executor's result written after it, none an error]. Corruptions, mildest first: the calc step skipped (answer still
 * right), the final answer off by one, a made-up lookup (or calc) result carried through to a wrong answer, and a bare
 * wrong answer with no calls.
 */
public final class ToolUseFamily implements TaskFamily {
    private static final Pattern ANSWER = Pattern.compile("Answer:\\s*(-?\\d+)");

    private enum Kind { CALC, PRICE, BASKET }

    private final Kind kind;

    private ToolUseFamily(Kind kind) {
        this.kind = kind;
    }

    public static ToolUseFamily calculator() {
        return new ToolUseFamily(Kind.CALC);
    }

    public static ToolUseFamily price() {
        return new ToolUseFamily(Kind.PRICE);
    }

    public static ToolUseFamily basket() {
        return new ToolUseFamily(Kind.BASKET);
    }

    @Override
    public String name() {
        return "tool-" + kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public Split split() {
        return kind == Kind.BASKET ? Split.HELD_OUT : Split.IN_DISTRIBUTION;
    }

    @Override
    public String description() {
        return switch (kind) {
            case CALC -> "multiply two numbers with calc (1 step)";
            case PRICE -> "price or weight of q items: lookup then calc (2 steps)";
            case BASKET -> "total price of two kinds of items: 2 lookups then calc (3 steps)";
        };
    }

    @Override
    public Problem generate(Rng rng) {
        return switch (kind) {
            case CALC -> {
                int a = 11 + rng.nextInt(89), b = 2 + rng.nextInt(29);
                String expr = a + "*" + b;
                yield build("Compute " + expr + " with the calculator.\n", List.of(), expr, (long) a * b, rng);
            }
            case PRICE -> {
                String item = Words.pick(LookupTable.ITEMS, rng);
                String table = rng.nextInt(2) == 0 ? "price" : "weight";
                int q = 2 + rng.nextInt(8);
                long v = LookupTable.get(table, item);
                String prompt = table.equals("price") ? "What do " + q + " " + plural(item) + " cost? Look up the price.\n"
                        : "How much do " + q + " " + plural(item) + " weigh? Look up the weight.\n";
                yield build(prompt, List.of(new Lookup(table, item)), q + "*" + v, q * v, rng);
            }
            case BASKET -> {
                int[] two = Words.distinctPositions(2, LookupTable.ITEMS.size(), rng);
                String i1 = LookupTable.ITEMS.get(two[rng.nextInt(2)]);
                String i2 = LookupTable.ITEMS.get(i1.equals(LookupTable.ITEMS.get(two[0])) ? two[1] : two[0]);
                int q1 = 2 + rng.nextInt(5), q2 = 2 + rng.nextInt(5);
                long v1 = LookupTable.get("price", i1), v2 = LookupTable.get("price", i2);
                String prompt = "What do " + q1 + " " + plural(i1) + " and " + q2 + " " + plural(i2) + " cost in total?\n";
                yield build(prompt, List.of(new Lookup("price", i1), new Lookup("price", i2)),
                        q1 + "*" + v1 + "+" + q2 + "*" + v2, q1 * v1 + q2 * v2, rng);
            }
        };
    }

    private static String plural(String item) {
        return item.endsWith("ch") ? item + "es" : item + "s";
    }

    private Problem build(String prompt, List<Lookup> lookups, String calcExpr, long answer, Rng rng) {
        List<Long> values = new ArrayList<>();
        for (Lookup l : lookups) {
            values.add(LookupTable.get(l.table(), l.item()));
        }
        String reference = transcript(lookups, values, calcExpr, answer, true) + "Answer: " + answer;
        String skipCalc = transcript(lookups, values, calcExpr, answer, false) + "Answer: " + answer;
        String offByOne = transcript(lookups, values, calcExpr, answer, true) + "Answer: " + (answer + 1);
        String madeUp;
        long delta = 1 + rng.nextInt(2);
        if (lookups.isEmpty()) { // tool-calc: the calc result itself is made up
            madeUp = "<call>calc(" + calcExpr + ")</call><result>" + (answer + delta) + "</result>Answer: " + (answer + delta);
        } else {
            List<Long> wrong = new ArrayList<>(values);
            wrong.set(0, values.getFirst() + delta);
            String wrongExpr = calcExpr.replaceFirst("\\*" + values.getFirst() + "(?!\\d)", "*" + wrong.getFirst());
            long wrongAnswer = Calculator.evaluate(wrongExpr);
            madeUp = transcript(lookups, wrong, wrongExpr, wrongAnswer, true) + "Answer: " + wrongAnswer;
        }
        String bare = "Answer: " + (answer + 7);
        return new ToolProblem(name(), prompt, reference, answer, List.copyOf(lookups), List.of(skipCalc, offByOne, madeUp, bare),
                lookups.size() + 1);
    }

    private static String transcript(List<Lookup> lookups, List<Long> values, String calcExpr, long calcValue, boolean withCalc) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lookups.size(); i++) {
            sb.append("<call>lookup(").append(lookups.get(i).table()).append(", ").append(lookups.get(i).item()).append(")</call><result>")
                    .append(values.get(i)).append("</result>");
        }
        if (withCalc) {
            sb.append("<call>calc(").append(calcExpr).append(")</call><result>").append(calcValue).append("</result>");
        }
        return sb.toString();
    }

    /** The final answer: the number after the last {@code Answer:}; a bare number (a tool result) does not count. */
    static OptionalLong taggedAnswer(String text) {
        Matcher m = ANSWER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        try {
            return last == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(last));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A lookup the task needs. */
    record Lookup(String table, String item) {
    }

    record ToolProblem(String family, String prompt, String reference, long answer, List<Lookup> lookups,
                       List<String> corruptions, int steps) implements Problem {
        @Override
        public double score(String response) {
            String r = response.strip();
            OptionalLong got = taggedAnswer(r);
            boolean answerRight = got.isPresent() && got.getAsLong() == answer;
            List<ToolExecutor.Call> calls = ToolExecutor.calls(r);
            int done = 0;
            for (Lookup l : lookups) {
                boolean called = calls.stream().anyMatch(c -> c.tool().equals("lookup") && c.arguments().size() == 2
                        && c.arguments().get(0).equalsIgnoreCase(l.table()) && c.arguments().get(1).equalsIgnoreCase(l.item()));
                done += called ? 1 : 0;
            }
            boolean calcDone = calls.stream().anyMatch(c -> c.tool().equals("calc")
                    && ToolExecutor.resultFor(c.body()).equals(Long.toString(answer)));
            done += calcDone ? 1 : 0;
            boolean faithful = !calls.isEmpty() && calls.stream().allMatch(c -> {
                String truth = ToolExecutor.resultFor(c.body());
                return !truth.startsWith("error") && truth.equals(c.writtenResult());
            });
            // in tenths so that the reference scores exactly 1.0
            return (6.0 * (answerRight ? 1 : 0) + 3.0 * done / (lookups.size() + 1) + (faithful ? 1 : 0)) / 10.0;
        }
    }
}
