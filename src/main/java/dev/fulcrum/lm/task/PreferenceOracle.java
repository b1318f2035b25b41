package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;

/**
 * A known probability that one response to a problem is preferred to another. Implementations are antisymmetric:
 * {@code probability(p, a, b) + probability(p, b, a) == 1}. They need not be transitive.
 */
public interface PreferenceOracle {
    /** P(first is preferred to second). */
    double probability(Problem problem, String first, String second);

    /** One simulated rater's verdict: true if {@code first} wins, drawn with {@link #probability}. */
    default boolean firstWins(Problem problem, String first, String second, Rng rng) {
        return rng.nextDouble() < probability(problem, first, second);
    }

    /** Name and parameters, for provenance. */
    String describe();

    /** The logistic function, stable for large |x|. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }
}
