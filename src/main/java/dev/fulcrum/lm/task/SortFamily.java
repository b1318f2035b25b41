package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Sorting a list of 4 to 7 distinct numbers (0..99), answered as space-separated numbers.
 * <ul>
 *   <li>{@code sort-asc} (in-distribution): {@code sort: 5 2 9 1} gives {@code 1 2 5 9};</li>
 *   <li>{@code sort-desc} (held-out): {@code sort descending: 5 2 9 1} gives {@code 9 5 2 1}.</li>
 * </ul>
 * Gold reward = content x order: content is the F1 overlap between the multiset of numbers in the response and the input's;
 * order is the share of pairs of response numbers that stand in the asked order (1 for fewer than two numbers). With n
 * numbers and M = n(n-1)/2 pairs, the corruptions (one adjacent swap, two disjoint adjacent swaps, the reversed answer)
 * score 1 - 1/M, 1 - 2/M and 0.
 */
public final class SortFamily implements TaskFamily {
    private final boolean descending;

    private SortFamily(boolean descending) {
        this.descending = descending;
    }

    public static SortFamily ascending() {
        return new SortFamily(false);
    }

    public static SortFamily descending() {
        return new SortFamily(true);
    }

    @Override
    public String name() {
        return descending ? "sort-desc" : "sort-asc";
    }

    @Override
    public Split split() {
        return descending ? Split.HELD_OUT : Split.IN_DISTRIBUTION;
    }

    @Override
    public String description() {
        return descending ? "sort 4-7 numbers in descending order" : "sort 4-7 numbers in ascending order";
    }

    @Override
    public Problem generate(Rng rng) {
        int n = 4 + rng.nextInt(4);
        int[] values = Arrays.copyOf(rng.permutation(100), n);
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        if (descending) {
            for (int i = 0; i < n / 2; i++) {
                int t = sorted[i];
                sorted[i] = sorted[n - 1 - i];
                sorted[n - 1 - i] = t;
            }
        }
        String prompt = (descending ? "sort descending: " : "sort: ") + join(values) + "\n";
        int first = rng.nextInt(n - 3); // swaps at (first, first+1) and (second, second+1), disjoint
        int second = first + 2 + rng.nextInt(n - first - 3);
        int[] oneSwap = swapped(sorted, first);
        int[] twoSwaps = swapped(oneSwap, second);
        int[] reversed = new int[n];
        for (int i = 0; i < n; i++) {
            reversed[i] = sorted[n - 1 - i];
        }
        return new SortProblem(name(), prompt, join(sorted), values, descending,
                List.of(join(oneSwap), join(twoSwaps), join(reversed)));
    }

    private static int[] swapped(int[] a, int i) {
        int[] b = a.clone();
        b[i] = a[i + 1];
        b[i + 1] = a[i];
        return b;
    }

    private static String join(int[] a) {
        return Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    record SortProblem(String family, String prompt, String reference, int[] input, boolean descending, List<String> corruptions)
            implements Problem {
        @Override
        public double score(String response) {
            List<Long> got = TextScores.integers(response.strip());
            return contentF1(got) * orderAccuracy(got);
        }

        private double contentF1(List<Long> got) {
            if (got.isEmpty()) {
                return 0.0;
            }
            Map<Long, Integer> want = new HashMap<>();
            for (int v : input) {
                want.merge((long) v, 1, Integer::sum);
            }
            int matched = 0;
            for (long v : got) {
                Integer left = want.get(v);
                if (left != null && left > 0) {
                    want.put(v, left - 1);
                    matched++;
                }
            }
            double precision = (double) matched / got.size(), recall = (double) matched / input.length;
            return matched == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
        }

        private double orderAccuracy(List<Long> got) {
            int pairs = 0, right = 0;
            List<Long> g = new ArrayList<>(got);
            for (int i = 0; i < g.size(); i++) {
                for (int j = i + 1; j < g.size(); j++) {
                    pairs++;
                    if (descending ? g.get(i) >= g.get(j) : g.get(i) <= g.get(j)) {
                        right++;
                    }
                }
            }
            return pairs == 0 ? 1.0 : (double) right / pairs;
        }

        @Override
        public int steps() {
            return 1;
        }
    }
}
