package dev.fulcrum.control.parl;

import dev.fulcrum.core.nn.Adam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The non-bilevel baseline, in the manner of PEBBLE (Lee, Smith and Abbeel, ICML 2021) without its unsupervised
 * pre-training and off-policy relabelling: alternate (1) {@code K} policy-gradient steps on the current learned reward,
 * (2) oracle-labelled pairs from the current policy into a growing buffer, (3) {@code E} optimiser steps of Bradley-Terry
 * likelihood on the whole buffer,
 * <pre>
 *   max_nu sum_{e in buffer} (1/|buffer|) log sigma( R_nu(tau_w,e) - R_nu(tau_l,e) ),
 * </pre>
 * treating the buffer as fixed data: no term for how {@code nu} moves the policy that produces the data (A-PARL's term 2).
 * Same inner loop, query rate and reward model as {@link Aparl}, so the two differ only in the upper level.
 *
 * <p>Signal, anchor, balance: the signal is every preference gathered so far; the anchor is the current {@code nu}; the
 * balance is the reward learning rate times {@code E}.
 */
public final class Pebble implements PreferenceLearner {

    /**
     * @param innerSteps        {@code K} policy-gradient steps per outer iteration
     * @param rolloutsPerStep   trajectories per inner step
     * @param policyStepSize    {@code beta}
     * @param entropy           {@code lambda}, the lower level's entropy regularisation
     * @param pairsPerIteration oracle queries per outer iteration
     * @param rewardSteps       {@code E} optimiser steps on the buffer per outer iteration
     */
    public record Settings(int innerSteps, int rolloutsPerStep, double policyStepSize, double entropy, int pairsPerIteration,
                           int rewardSteps) {
        public Settings {
            if (innerSteps <= 0 || rolloutsPerStep <= 0 || pairsPerIteration <= 0 || rewardSteps <= 0 || !(policyStepSize > 0)
                    || !(entropy >= 0)) {
                throw new IllegalArgumentException("PEBBLE needs positive inner steps, rollouts, pairs, reward steps and step size");
            }
        }
    }

    private final StochasticPolicy policy;
    private final LinearRewardModel reward;
    private final TrajectorySource source;
    private final Settings settings;
    private final Adam optimiser;
    private Comparisons buffer = Comparisons.empty();

    public Pebble(StochasticPolicy policy, LinearRewardModel reward, TrajectorySource source, Settings settings, Adam optimiser) {
        this.policy = policy;
        this.reward = reward;
        this.source = source;
        this.settings = settings;
        this.optimiser = optimiser;
    }

    @Override
    public String name() {
        return "pebble";
    }

    @Override
    public Map<String, Double> iterate() {
        double[] nu = reward.weights();
        List<PolicyGradient.InnerStep> steps = PolicyGradient.innerLoop(policy, source, nu, settings.entropy(), settings.innerSteps(),
                settings.rolloutsPerStep(), settings.policyStepSize());
        Comparisons fresh = source.comparisons(policy, settings.pairsPerIteration());
        LinearRewardModel.Fit before = reward.fit(fresh);
        buffer = buffer.plusEqualWeights(fresh);
        double[] none = new double[nu.length];
        for (int e = 0; e < settings.rewardSteps(); e++) {
            reward.ascend(buffer, none, optimiser);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("preference_log_likelihood", before.logLikelihood());
        m.put("preference_accuracy", before.accuracy());
        m.put("likelihood_term_norm", Aparl.norm(before.gradient()));
        m.put("buffer_size", (double) buffer.size());
        m.put("inner_gradient_norm", Aparl.norm(steps.getLast().gradient()));
        return m;
    }

    @Override
    public StochasticPolicy policy() {
        return policy;
    }

    @Override
    public LinearRewardModel reward() {
        return reward;
    }
}
