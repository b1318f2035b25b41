package dev.fulcrum.control.env;

/**
 * What a learner may know about an environment before interacting with it.
 *
 * @param id               registry name, e.g. {@code pendulum}
 * @param observationDim   length of an observation vector
 * @param actionDim        length of an action vector
 * @param actionLow        lower bound of every action coordinate (the box is symmetric in all our tasks, but kept general)
 * @param actionHigh       upper bound of every action coordinate
 * @param maxEpisodeSteps  time limit: episodes are truncated (not terminated) after this many steps
 * @param randomScore      expected return of the uniform-random policy: normalised score 0
 * @param expertScore      expected return of the reference expert policy: normalised score 100
 * @param sparseReward     true for goal tasks whose reward is an indicator; they use IQL's sparse defaults
 */
public record EnvSpec(String id, int observationDim, int actionDim, float actionLow, float actionHigh, int maxEpisodeSteps,
                      double randomScore, double expertScore, boolean sparseReward) {
    public EnvSpec {
        if (observationDim <= 0 || actionDim <= 0 || maxEpisodeSteps <= 0) {
            throw new IllegalArgumentException("bad env spec " + id);
        }
        if (!(actionLow < actionHigh)) {
            throw new IllegalArgumentException("action box of " + id + " is empty: [" + actionLow + ", " + actionHigh + "]");
        }
    }

    /** D4RL's normalised score: 100 * (R - random) / (expert - random). */
    public double normalisedScore(double episodeReturn) {
        return 100.0 * (episodeReturn - randomScore) / (expertScore - randomScore);
    }
}
