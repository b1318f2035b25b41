package dev.fulcrum.control.policy;

import dev.fulcrum.core.rng.Rng;

/** Maps an observation to an action. Deterministic policies ignore {@code rng}; stochastic ones draw from it. */
@FunctionalInterface
public interface Policy {
    float[] act(float[] observation, Rng rng);
}
