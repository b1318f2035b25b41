package dev.fulcrum.control.parl;

import java.util.Map;

/** One outer iteration at a time of learning a reward from preferences and a policy from that reward. */
public interface PreferenceLearner {
    String name();

    /** One outer iteration: the inner policy steps, the oracle queries, the reward update. Returns its metrics. */
    Map<String, Double> iterate();

    StochasticPolicy policy();

    LinearRewardModel reward();
}
