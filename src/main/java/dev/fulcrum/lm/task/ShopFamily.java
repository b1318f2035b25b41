package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code tool-shop} (split {@link Split#COMPLEX}): a multi-tool task for the iTool experiments. Buy one or two kinds of
 * items and pay with a note; the answer is the change. The steps, each one tool call:
 * <pre>
 *   lookup(price, ITEM)   for each kind of item (1 or 2 calls)
 *   calc(q1*p1+q2*p2)     the total
 *   calc(NOTE-TOTAL)      the change
 *   Answer: CHANGE
 * </pre>
 * so a problem needs 3 or 4 calls of both tools ({@link #steps} = calls, the difficulty). The note is the smallest of
 * 20, 50, 100, 200 coins above the total whose change differs from the total (so the two calc steps can be told apart).
 *
 * <p>Gold reward, as {@link ToolUseFamily}'s: 0.6 [final {@code Answer: N} right] + 0.3 (share of steps done: each
 * lookup called with the right table and item, a calc call whose true value is the total, and one whose true value is
 * the change) + 0.1 [at least one call, and every call has the executor's result written after it]. Corruptions, mildest
 * first: the change calc skipped (answer still right), the final answer off by one, a made-up price carried through the
 * total and the change to a wrong answer, and a bare wrong answer with no calls.
 */
public final class ShopFamily implements TaskFamily {
    /** The notes a buyer pays with, smallest first. */
    static final List<Integer> NOTES = List.of(20, 50, 100, 200);

    public static ShopFamily shop() {
        return new ShopFamily();
    }

    @Override
    public String name() {
        return "tool-shop";
    }

    @Override
    public Split split() {
        return Split.COMPLEX;
    }

    @Override
    public String description() {
        return "change from a note after buying 1-2 kinds of items: lookups, calc total, calc change (3-4 calls)";
    }

    @Override
    public Problem generate(Rng rng) {
        int kinds = 1 + rng.nextInt(2);
        int[] picked = rng.permutation(LookupTable.ITEMS.size());
        List<String> items = new ArrayList<>();
        List<Integer> quantities = new ArrayList<>();
        List<Long> prices = new ArrayList<>();
        for (int i = 0; i < kinds; i++) {
            items.add(LookupTable.ITEMS.get(picked[i]));
            quantities.add(2 + rng.nextInt(4));
            prices.add(LookupTable.get("price", items.get(i)));
        }
        long total = total(quantities, prices);
        int note = note(total);
        StringBuilder prompt = new StringBuilder("You buy ");
        for (int i = 0; i < kinds; i++) {
            prompt.append(i == 0 ? "" : " and ").append(quantities.get(i)).append(' ').append(plural(items.get(i)));
        }
        prompt.append(" with a ").append(note).append("-coin note. What is your change?\n");
        long change = note - total;
        String reference = transcript(items, quantities, prices, note, true) + "Answer: " + change;
        String skipChange = transcript(items, quantities, prices, note, false) + "Answer: " + change;
        String offByOne = transcript(items, quantities, prices, note, true) + "Answer: " + (change + 1);
        List<Long> wrong = new ArrayList<>(prices);
        wrong.set(0, prices.getFirst() + 1 + rng.nextInt(2));
        String madeUp = transcript(items, quantities, wrong, note, true) + "Answer: " + (note - total(quantities, wrong));
        String bare = "Answer: " + (change + 7);
        return new ShopProblem(prompt.toString(), reference, change, total, List.copyOf(items),
                List.of(skipChange, offByOne, madeUp, bare));
    }

    private static long total(List<Integer> quantities, List<Long> prices) {
        long t = 0;
        for (int i = 0; i < quantities.size(); i++) {
            t += quantities.get(i) * prices.get(i);
        }
        return t;
    }

    /** The smallest note above the total whose change is not the total itself. */
    static int note(long total) {
        for (int n : NOTES) {
            if (n > total && n - total != total) {
                return n;
            }
        }
        throw new IllegalStateException("no note fits a total of " + total);
    }

    private static String plural(String item) {
        return item.endsWith("ch") ? item + "es" : item + "s";
    }

    /** Lookups, the total calc, and (with {@code withChange}) the change calc, each result as the executor writes it. */
    private static String transcript(List<String> items, List<Integer> quantities, List<Long> prices, int note, boolean withChange) {
        StringBuilder sb = new StringBuilder();
        StringBuilder expr = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            sb.append("<call>lookup(price, ").append(items.get(i)).append(")</call><result>").append(prices.get(i)).append("</result>");
            expr.append(i == 0 ? "" : "+").append(quantities.get(i)).append('*').append(prices.get(i));
        }
        long total = total(quantities, prices);
        sb.append("<call>calc(").append(expr).append(")</call><result>").append(total).append("</result>");
        if (withChange) {
            sb.append("<call>calc(").append(note).append('-').append(total).append(")</call><result>").append(note - total)
                    .append("</result>");
        }
        return sb.toString();
    }

    record ShopProblem(String prompt, String reference, long answer, long total, List<String> items, List<String> corruptions)
            implements Problem {
        @Override
        public String family() {
            return "tool-shop";
        }

        @Override
        public int steps() {
            return items.size() + 2;
        }

        @Override
        public double score(String response) {
            String r = response.strip();
            OptionalLong got = ToolUseFamily.taggedAnswer(r);
            boolean answerRight = got.isPresent() && got.getAsLong() == answer;
            List<ToolExecutor.Call> calls = ToolExecutor.calls(r);
            int done = 0;
            for (String item : items) {
                boolean called = calls.stream().anyMatch(c -> c.tool().equals("lookup") && c.arguments().size() == 2
                        && c.arguments().get(0).equalsIgnoreCase("price") && c.arguments().get(1).equalsIgnoreCase(item));
                done += called ? 1 : 0;
            }
            done += calcGives(calls, total) ? 1 : 0;
            done += calcGives(calls, answer) ? 1 : 0;
            boolean faithful = !calls.isEmpty() && calls.stream().allMatch(c -> {
                String truth = ToolExecutor.resultFor(c.body());
                return !truth.startsWith("error") && truth.equals(c.writtenResult());
            });
            // in tenths so that the reference scores exactly 1.0
            return (6.0 * (answerRight ? 1 : 0) + 3.0 * done / steps() + (faithful ? 1 : 0)) / 10.0;
        }

        private static boolean calcGives(List<ToolExecutor.Call> calls, long value) {
            return calls.stream().anyMatch(c -> c.tool().equals("calc") && ToolExecutor.resultFor(c.body()).equals(Long.toString(value)));
        }
    }
}
