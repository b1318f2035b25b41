package dev.fulcrum.control.policy;

import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.core.rng.Rng;

/**
 * A base policy degraded the D4RL way: with probability {@code randomProbability} a uniform random action, otherwise the
 * base action plus Gaussian noise of standard deviation {@code noiseStd} times the box half-width, clipped to the box.
 */
public record NoisyPolicy(Policy base, EnvSpec spec, double randomProbability, double noiseStd) implements Policy {
    public NoisyPolicy {
        if (!(randomProbability >= 0 && randomProbability <= 1)) {
            throw new IllegalArgumentException("randomProbability must lie in [0, 1], got " + randomProbability);
        }
        if (!(noiseStd >= 0)) {
            throw new IllegalArgumentException("noiseStd must be non-negative, got " + noiseStd);
        }
    }

    @Override
    public float[] act(float[] observation, Rng rng) {
        if (rng.nextDouble() < randomProbability) {
            return new UniformRandomPolicy(spec).act(observation, rng);
        }
        float[] a = base.act(observation, rng);
        double half = 0.5 * (spec.actionHigh() - spec.actionLow());
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.max(spec.actionLow(), Math.min(spec.actionHigh(), a[i] + noiseStd * half * rng.gaussian()));
        }
        return a;
    }

    @Override
    public String toString() {
        return "Noisy(" + base + ", random p=" + randomProbability + ", noise std=" + noiseStd + ")";
    }
}
