package dev.fulcrum.control.parl;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * A testbed for policy alignment from preferences: an environment, reward features {@code phi} in which both a naive,
 * hand-written reward and the hidden true utility are linear, and a way to evaluate a policy's expected true utility.
 * The naive reward is misaligned on purpose: its optimal policy scores low under the true utility.
 */
public interface PreferenceTask {
    String id();

    /** Names of the reward features, in order. */
    List<String> featureNames();

    default int featureCount() {
        return featureNames().size();
    }

    /** The naive reward's weights over the features (what a designer would write; it ignores what the oracle cares about). */
    double[] naiveWeights();

    /** The hidden true utility {@code U(tau)}; only the oracle and evaluation may call it. */
    double utility(Trajectory trajectory);

    /** A fresh policy for this task (its initial parameters drawn from {@code rng} where it has any randomness). */
    StochasticPolicy newPolicy(NDManager manager, Rng rng);

    /** One episode with {@code policy}. */
    Trajectory rollout(StochasticPolicy policy, Rng rng);

    /** {@code n} independent episodes. */
    default List<Trajectory> rollouts(StochasticPolicy policy, int n, Rng rng) {
        List<Trajectory> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(rollout(policy, rng));
        }
        return out;
    }

    /** {@code J(pi) = E_pi[U(tau)]}: exact where the task can compute it, otherwise a fixed-seed Monte Carlo estimate. */
    double expectedUtility(StochasticPolicy policy);

    /** Reference utilities for normalisation: 0 = the uniform random policy, 1 = the reference optimum. */
    UtilityScale scale();

    /** Reference points of the true utility and how they were obtained. */
    record UtilityScale(double random, double optimal, String how) {
        public UtilityScale {
            if (!(optimal > random)) {
                throw new IllegalArgumentException("optimal utility " + optimal + " must exceed the random policy's " + random);
            }
        }

        /** {@code (J - J_random) / (J_optimal - J_random)}. */
        public double normalise(double utility) {
            return (utility - random) / (optimal - random);
        }
    }
}
