package dev.fulcrum.control.parl;

import java.util.List;

/**
 * Trajectories with the weights of an expectation over them: {@code E[f] ~ sum_n w_n f(tau_n)}. Sampled rollouts carry
 * {@code w_n = 1/N}; the exact enumeration of a small tabular MDP carries each trajectory's probability, which turns every
 * estimator in this package into the exact expectation it estimates (that is how the tests check them).
 */
public record Rollouts(List<Trajectory> trajectories, double[] weights) {
    public Rollouts {
        trajectories = List.copyOf(trajectories);
        if (weights.length != trajectories.size()) {
            throw new IllegalArgumentException(trajectories.size() + " trajectories but " + weights.length + " weights");
        }
        weights = weights.clone();
    }

    /** Equally weighted samples. */
    public static Rollouts sampled(List<Trajectory> trajectories) {
        double[] w = new double[trajectories.size()];
        java.util.Arrays.fill(w, 1.0 / Math.max(1, trajectories.size()));
        return new Rollouts(trajectories, w);
    }

    public int size() {
        return trajectories.size();
    }

    /** Total number of decision steps (environment transitions) in the batch. */
    public long steps() {
        long s = 0;
        for (Trajectory t : trajectories) {
            s += t.length();
        }
        return s;
    }
}
