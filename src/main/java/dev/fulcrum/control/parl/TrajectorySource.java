package dev.fulcrum.control.parl;

import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the learners get trajectories and labelled comparisons from. {@link Sampled} draws rollouts from the task and asks
 * the oracle, counting environment transitions and queries (the sample budget); {@link ExactTabular} returns exact
 * expectations instead (every trajectory of a small {@link GridHazard} with its probability, every pair with the oracle's
 * label probabilities), which turns each estimator into the quantity it estimates.
 */
public sealed interface TrajectorySource permits TrajectorySource.Sampled, TrajectorySource.ExactTabular {
    /** {@code n} rollouts of {@code policy} (ignored by the exact source: it enumerates). */
    Rollouts rollouts(StochasticPolicy policy, int n);

    /** Oracle-labelled comparisons of pairs of trajectories of {@code policy}. */
    Comparisons comparisons(StochasticPolicy policy, int pairs);

    /** Environment transitions consumed so far. */
    long environmentSteps();

    /** The sampling source: every rollout costs its transitions, every comparison one oracle query. */
    final class Sampled implements TrajectorySource {
        private final PreferenceTask task;
        private final PreferenceOracle oracle;
        private final Rng rng;
        private long steps;

        public Sampled(PreferenceTask task, PreferenceOracle oracle, Rng rng) {
            this.task = task;
            this.oracle = oracle;
            this.rng = rng;
        }

        @Override
        public Rollouts rollouts(StochasticPolicy policy, int n) {
            Rollouts r = Rollouts.sampled(task.rollouts(policy, n, rng));
            steps += r.steps();
            return r;
        }

        @Override
        public Comparisons comparisons(StochasticPolicy policy, int pairs) {
            Rollouts r = rollouts(policy, 2 * pairs);
            List<Trajectory> preferred = new ArrayList<>(), rejected = new ArrayList<>();
            for (int q = 0; q < pairs; q++) {
                Trajectory a = r.trajectories().get(2 * q), b = r.trajectories().get(2 * q + 1);
                boolean first = oracle.prefersFirst(a, b);
                preferred.add(first ? a : b);
                rejected.add(first ? b : a);
            }
            double[] w = new double[pairs];
            Arrays.fill(w, 1.0 / pairs);
            return new Comparisons(preferred, rejected, w);
        }

        @Override
        public long environmentSteps() {
            return steps;
        }
    }

    /** Exact expectations on a small grid: no sampling, nothing counted. */
    final class ExactTabular implements TrajectorySource {
        private final GridHazard grid;
        private final PreferenceOracle oracle;

        public ExactTabular(GridHazard grid, PreferenceOracle oracle) {
            this.grid = grid;
            this.oracle = oracle;
        }

        @Override
        public Rollouts rollouts(StochasticPolicy policy, int n) {
            return grid.enumerate((TabularSoftmaxPolicy) policy);
        }

        /** All ordered pairs {@code (i, j)} with weight {@code p_i p_j}, each split by the oracle's label probabilities. */
        @Override
        public Comparisons comparisons(StochasticPolicy policy, int pairs) {
            Rollouts all = grid.enumerate((TabularSoftmaxPolicy) policy);
            int n = all.size();
            List<Trajectory> preferred = new ArrayList<>(), rejected = new ArrayList<>();
            double[] w = new double[2 * n * n];
            int e = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    Trajectory a = all.trajectories().get(i), b = all.trajectories().get(j);
                    double pair = all.weights()[i] * all.weights()[j];
                    double pa = oracle.probabilityFirstPreferred(a, b);
                    preferred.add(a);
                    rejected.add(b);
                    w[e++] = pair * pa;
                    preferred.add(b);
                    rejected.add(a);
                    w[e++] = pair * (1 - pa);
                }
            }
            return new Comparisons(preferred, rejected, w);
        }

        @Override
        public long environmentSteps() {
            return 0;
        }
    }
}
