package dev.fulcrum.control.parl;

import dev.fulcrum.core.rng.Rng;
import java.util.function.ToDoubleFunction;

/**
 * A simulated human: answers "which of these two trajectories is better?" with Bradley-Terry probabilities of a hidden
 * true utility {@code U},
 * <pre>
 *   P(tau_a preferred to tau_b) = sigma( (U(tau_a) - U(tau_b)) / T ),
 * </pre>
 * drawing its answer from its own random stream. Every answer is counted: oracle queries are half of the sample budget
 * the experiments compare (environment transitions are the other half). Reading the probabilities without a query
 * ({@link #probabilityFirstPreferred}) is for exact expectations in tests and is not counted.
 */
public final class PreferenceOracle {
    private final ToDoubleFunction<Trajectory> utility;
    private final double temperature;
    private final Rng rng;
    private long queries;

    /**
     * @param utility     the hidden true utility {@code U(tau)}
     * @param temperature {@code T > 0}; small is a nearly deterministic judge, large a noisy one
     */
    public PreferenceOracle(ToDoubleFunction<Trajectory> utility, double temperature, Rng rng) {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("oracle temperature must be positive and finite, got " + temperature);
        }
        this.utility = utility;
        this.temperature = temperature;
        this.rng = rng;
    }

    /** {@code sigma((U(a) - U(b)) / T)}, without counting a query. */
    public double probabilityFirstPreferred(Trajectory a, Trajectory b) {
        return sigmoid((utility.applyAsDouble(a) - utility.applyAsDouble(b)) / temperature);
    }

    /** Asks the oracle (one counted query): true when it prefers {@code a} to {@code b}. */
    public boolean prefersFirst(Trajectory a, Trajectory b) {
        queries++;
        return rng.nextDouble() < probabilityFirstPreferred(a, b);
    }

    /** Queries answered so far. */
    public long queries() {
        return queries;
    }

    public double temperature() {
        return temperature;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
