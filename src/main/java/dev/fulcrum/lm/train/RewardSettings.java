package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.lm.reward.RewardModel;

/**
 * Reward-model training settings ({@code reward.*}).
 *
 * @param centering       coefficient of the reward-centering term of {@code BradleyTerry} (0.01 as in the RLHF recipes
 *                        the project follows; 0 switches it off)
 * @param heldOutFraction share of prompts whose pairs are held out of training for evaluation
 * @param evalBatchSize   pairs scored together in evaluation
 * @param head            {@code last-token} (Hugging Face's sequence-classification head, the default) or
 *                        {@code last-token+likelihood} (also the response's token log-probabilities under a learnt
 *                        per-token gate; {@link dev.fulcrum.lm.reward.RewardModel}) or {@code last-token+reference-likelihood}
 *                        (the same with the log-probabilities of a frozen copy of the initial model)
 * @param gateInit        the likelihood gate's initial bias {@code c} (weights start at zero): 0 starts training from the
 *                        last-token model, 1 from the last-token head plus the response's log-likelihood
 */
public record RewardSettings(double centering, double heldOutFraction, int evalBatchSize, String head, double gateInit) {
    public RewardSettings {
        head = head == null ? RewardModel.LAST_TOKEN_HEAD : head.trim();
        if (!Double.isFinite(gateInit)) {
            throw new ConfigException("reward.gateInit", "must be a finite number, got " + gateInit);
        }
        if (!RewardModel.HEADS.contains(head)) {
            throw new ConfigException("reward.head", "must be one of " + RewardModel.HEADS + ", got '" + head + "'");
        }
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
        return new RewardSettings(0.01, 0.1, 64, RewardModel.LAST_TOKEN_HEAD, 0);
    }
}
