package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigException;

/**
 * Reward-model training settings ({@code reward.*}).
 *
 * @param centering       coefficient of the reward-centering term of {@code BradleyTerry} (0.01 as in the RLHF recipes
 *                        the project follows; 0 switches it off)
 * @param heldOutFraction share of prompts whose pairs are held out of training for evaluation
 * @param evalBatchSize   pairs scored together in evaluation
 */
public record RewardSettings(double centering, double heldOutFraction, int evalBatchSize) {
    public RewardSettings {
        if (!(centering >= 0) || !Double.isFinite(centering)) {
            throw new ConfigException("reward.centering", "must be a non-negative number, got " + centering);
        }
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
            throw new ConfigException("reward.heldOutFraction", "must lie in [0, 1), got " + heldOutFraction);
        }
        if (evalBatchSize <= 0) {
            throw new ConfigException("reward.evalBatchSize", "must be positive, got " + evalBatchSize);
        }
    }

    public static RewardSettings defaults() {
        return new RewardSettings(0.01, 0.1, 64);
    }
}
