package dev.fulcrum.control.env;

import dev.fulcrum.core.rng.Rng;

/**
 * A continuous-control environment in the Gymnasium manner: {@link #reset} starts an episode, {@link #step} advances it.
 *
 * <p>Termination and truncation are kept apart, as offline RL needs: {@link Step#terminated()} means the task itself ended
 * (a terminal state: no bootstrapping from it), {@link Step#truncated()} means the episode was cut by the time limit
 * {@link EnvSpec#maxEpisodeSteps()} (the state is not terminal: D4RL calls this a timeout). Actions outside the action
 * box are clipped to it by the environment. An instance is not thread-safe; make one per thread.
 */
public interface Env {
    EnvSpec spec();

    /** Starts a new episode; the initial state is drawn from {@code rng}, which the environment keeps for any noise. */
    float[] reset(Rng rng);

    /** Applies {@code action} (length {@code spec().actionDim()}). Calling it after the episode ended is an error. */
    Step step(float[] action);

    /** One transition's outcome. */
    record Step(float[] observation, double reward, boolean terminated, boolean truncated) {
        public boolean done() {
            return terminated || truncated;
        }
    }
}
