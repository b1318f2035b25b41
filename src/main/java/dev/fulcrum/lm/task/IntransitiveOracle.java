package dev.fulcrum.lm.task;

/**
 * A general preference with cycles, for Nash-style methods (DNO, INPO) where Bradley-Terry is misspecified:
 * <pre>
 *   P(y1 > y2) = sigma((r(y1) - r(y2) + lambda * c(y1, y2)) / t)
 *   s(y)       = (number of white-space separated words of y) mod 3            a "style" class
 *   c(y1, y2)  = +1 if s(y1) = s(y2) + 1 (mod 3),  -1 if s(y2) = s(y1) + 1 (mod 3),  0 if s(y1) = s(y2)
 * </pre>
 * c is antisymmetric, so P(y1 > y2) + P(y2 > y1) = 1. It is rock-paper-scissors over style: for three responses of equal
 * gold reward with styles 0, 1, 2, each of style k+1 beats the one of style k with probability sigma(lambda / t) > 1/2,
 * and style 0 beats style 2 with the same probability: a strict cycle, which no reward function (Bradley-Terry or any
 * other scalar score) can produce, since a scalar order is transitive. More generally a cycle exists among any three
 * responses with styles 0, 1, 2 whose rewards differ pairwise by less than lambda. Quality still matters: when the
 * reward gap exceeds lambda, the better response is preferred whatever its style.
 */
public record IntransitiveOracle(double temperature, double cycleWeight) implements PreferenceOracle {
    public IntransitiveOracle {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive and finite, got " + temperature);
        }
        if (!(cycleWeight >= 0) || Double.isInfinite(cycleWeight)) {
            throw new IllegalArgumentException("cycle weight must be non-negative and finite, got " + cycleWeight);
        }
    }

    /** The style class s(y) in {0, 1, 2}. */
    public static int style(String response) {
        return TextScores.wordCount(response) % 3;
    }

    /** The cyclic term c(y1, y2) in {-1, 0, 1}. */
    public static int cycle(String first, String second) {
        int a = style(first), b = style(second);
        if (a == (b + 1) % 3) {
            return 1;
        }
        return b == (a + 1) % 3 ? -1 : 0;
    }

    @Override
    public double probability(Problem problem, String first, String second) {
        double gap = problem.score(first) - problem.score(second);
        return PreferenceOracle.sigmoid((gap + cycleWeight * cycle(first, second)) / temperature);
    }

    @Override
    public String describe() {
        return "intransitive(t=" + temperature + ", lambda=" + cycleWeight + ", style=words mod 3)";
    }
}
