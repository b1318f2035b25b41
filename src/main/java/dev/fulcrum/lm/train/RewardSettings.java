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
 *                        (the same with the log-probabilities of a frozen copy of the initial model) or
 *                        {@code last-token+dual-likelihood} (both, each under its own gate)
 * @param gateInit        the likelihood gate's initial bias {@code c} (weights start at zero): 0 starts training from the
 *                        last-token model, 1 from the last-token head plus the response's log-likelihood
 * @param lmWeight        weight of the language-modelling regulariser: the trunk's mean negative log-likelihood per
 *                        token of the chosen responses, added to the loss (GRM's SFT regulariser); needs
 *                        {@code head = last-token+likelihood} or {@code last-token+dual-likelihood}, whose reward reads
 *                        the trunk's own predictions; 0 (the default) switches it off
 * @param klWeight        weight of the anchor: the trunk's mean divergence per response token (chosen and rejected)
 *                        {@code KL(p_init || p)} from the initial model's next-token distributions (the reference of a
 *                        reference-likelihood or dual head), added to the loss so that reward training keeps what the base
 *                        predicted; needs a likelihood head; 0 (the default) switches it off
 */
public record RewardSettings(double centering, double heldOutFraction, int evalBatchSize, String head, double gateInit,
                             double lmWeight, double klWeight) {
    public RewardSettings {
        head = head == null ? RewardModel.LAST_TOKEN_HEAD : head.trim();
        if (!Double.isFinite(gateInit)) {
            throw new ConfigException("reward.gateInit", "must be a finite number, got " + gateInit);
        }
        if (!RewardModel.HEADS.contains(head)) {
            throw new ConfigException("reward.head", "must be one of " + RewardModel.HEADS + ", got '" + head + "'");
        }
        if (!(klWeight >= 0) || !Double.isFinite(klWeight)) {
            throw new ConfigException("reward.klWeight", "must be a non-negative number, got " + klWeight);
        }
        if (klWeight > 0 && head.equals(RewardModel.LAST_TOKEN_HEAD)) {
            throw new ConfigException("reward.klWeight", "needs a likelihood head (reward.head=" + RewardModel.LIKELIHOOD_HEAD + ", "
                    + RewardModel.REFERENCE_LIKELIHOOD_HEAD + " or " + RewardModel.DUAL_LIKELIHOOD_HEAD
                    + "; the anchor is measured on response positions), got head '" + head + "'");
        }
        if (!(lmWeight >= 0) || !Double.isFinite(lmWeight)) {
            throw new ConfigException("reward.lmWeight", "must be a non-negative number, got " + lmWeight);
        }
        if (lmWeight > 0 && !RewardModel.readsTrunkLikelihood(head)) {
            throw new ConfigException("reward.lmWeight", "needs reward.head=" + RewardModel.LIKELIHOOD_HEAD + " or "
                    + RewardModel.DUAL_LIKELIHOOD_HEAD + " (the heads whose reward reads the trunk's own language-model "
                    + "predictions), got head '" + head + "'");
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

    /** These settings without the language-modelling regulariser and the anchor. */
    public RewardSettings(double centering, double heldOutFraction, int evalBatchSize, String head, double gateInit) {
        this(centering, heldOutFraction, evalBatchSize, head, gateInit, 0, 0);
    }

    public static RewardSettings defaults() {
        return new RewardSettings(0.01, 0.1, 64, RewardModel.LAST_TOKEN_HEAD, 0, 0, 0);
    }
}
