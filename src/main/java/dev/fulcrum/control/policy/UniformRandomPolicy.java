package dev.fulcrum.control.policy;

import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.core.rng.Rng;

/** Uniform actions in the environment's action box. */
public record UniformRandomPolicy(EnvSpec spec) implements Policy {
    @Override
    public float[] act(float[] observation, Rng rng) {
        float[] a = new float[spec.actionDim()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.uniform(spec.actionLow(), spec.actionHigh());
        }
        return a;
    }

    @Override
    public String toString() {
        return "UniformRandom(" + spec.id() + ")";
    }
}
