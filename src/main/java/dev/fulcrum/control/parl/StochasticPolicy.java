package dev.fulcrum.control.parl;

import dev.fulcrum.core.rng.Rng;
import java.util.List;

/**
 * A policy {@code pi_theta(a|s)} with a flat parameter vector {@code theta}, seen only through what policy gradients and
 * the A-PARL hypergradient need: sampling, per-step log-probabilities and weighted score sums
 * {@code grad_theta sum_i w_i log pi_theta(a_i|s_i)}. Second derivatives are taken by central differences of these along a
 * direction (see {@link PolicyGradient#hessianVectorProduct}), so an implementation needs no second-order autograd.
 */
public interface StochasticPolicy {
    int parameterCount();

    /** A copy of {@code theta}. */
    double[] parameters();

    void setParameters(double[] theta);

    /** Samples {@code a ~ pi(.|s)} (unclipped). */
    float[] sample(float[] observation, Rng rng);

    /** Samples one action per row; implementations with batched forward passes override this. */
    default float[][] sample(float[][] observations, Rng rng) {
        float[][] out = new float[observations.length][];
        for (int i = 0; i < observations.length; i++) {
            out[i] = sample(observations[i], rng);
        }
        return out;
    }

    /** {@code log pi(a_t|s_t)} for every step of every trajectory, trajectories in order, steps in order. */
    double[] logProbabilities(List<Trajectory> batch);

    /** {@code grad_theta sum_i w_i log pi(a_i|s_i)} with one weight per step, ordered as {@link #logProbabilities}. */
    double[] weightedScore(List<Trajectory> batch, double[] stepWeights);

    /** Number of steps in a batch (the length {@code stepWeights} must have). */
    static int steps(List<Trajectory> batch) {
        int n = 0;
        for (Trajectory t : batch) {
            n += t.length();
        }
        return n;
    }
}
