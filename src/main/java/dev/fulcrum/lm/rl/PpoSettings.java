package dev.fulcrum.lm.rl;

import dev.fulcrum.core.config.ConfigException;
import java.util.List;

/**
 * PPO on a language model, every PPO-max trick a switch ({@code ppo.*}; Zheng et al. 2023, "Secrets of RLHF in Large
 * Language Models Part I: PPO", section 5.3 and figure 5). {@link #max()} turns them all on with the paper's values,
 * {@link #vanilla()} turns them all off (plain clipped PPO with GAE on the raw reward).
 *
 * @param reward               {@code model}: a Bradley-Terry reward model's score; {@code oracle}: the task oracle's gold
 *                             reward, so that reward-model error and PPO's own behaviour can be told apart
 * @param klPenalty            token-level KL penalty to the reference (SFT) model in the reward, coefficient {@code klCoef}
 * @param rewardNormalisation  normalise rewards by their running mean and standard deviation, then clip to
 *                             {@code +-rewardClip}
 * @param criticFromRewardModel initialise the critic (trunk and head) from the reward model; otherwise from the SFT
 *                             policy's trunk with a fresh head
 * @param criticPretrainSteps  rollout batches that train only the critic before PPO starts (0: none)
 * @param gamma                GAE discount (1: no discount within a response)
 * @param lambda               GAE lambda
 * @param advantageWhitening   whiten advantages per minibatch
 * @param clipRange            PPO's ratio clip epsilon
 * @param valueClipping        clip the value loss around the rollout's values by {@code valueClipRange}
 * @param gradClipping         clip each network's global gradient norm to {@code maxGradNorm}
 * @param ptxCoef              weight of the pre-training (SFT) negative log-likelihood added to the policy loss
 *                             (PPO-ptx, Ouyang et al. 2022); 0: off
 * @param rolloutBatch         prompts sampled per PPO iteration (one response each)
 * @param minibatch            rollouts per gradient update
 * @param epochs               passes over each rollout batch
 * @param policyLearningRate   Adam learning rate of the policy
 * @param criticLearningRate   Adam learning rate of the critic
 * @param maxNewTokens         response budget
 * @param temperature          sampling temperature of rollouts
 * @param ptxBatch             SFT examples per policy update when {@code ptxCoef > 0}
 * @param collapseWindow       updates the collapse monitor compares (even, >= 4)
 */
public record PpoSettings(String reward, boolean klPenalty, double klCoef, boolean rewardNormalisation, double rewardClip,
                          boolean criticFromRewardModel, int criticPretrainSteps, double gamma, double lambda,
                          boolean advantageWhitening, double clipRange, boolean valueClipping, double valueClipRange,
                          boolean gradClipping, double maxGradNorm, double ptxCoef, int rolloutBatch, int minibatch, int epochs,
                          double policyLearningRate, double criticLearningRate, int maxNewTokens, double temperature,
                          int ptxBatch, int collapseWindow) {
    public static final List<String> REWARDS = List.of("model", "oracle");

    public PpoSettings {
        if (reward == null || !REWARDS.contains(reward)) {
            throw new ConfigException("ppo.reward", "must be one of " + REWARDS + ", got '" + reward + "'");
        }
        nonNegative("ppo.klCoef", klCoef);
        positive("ppo.rewardClip", rewardClip);
        if (criticPretrainSteps < 0) {
            throw new ConfigException("ppo.criticPretrainSteps", "must be >= 0, got " + criticPretrainSteps);
        }
        if (!(gamma >= 0 && gamma <= 1)) {
            throw new ConfigException("ppo.gamma", "must lie in [0, 1], got " + gamma);
        }
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new ConfigException("ppo.lambda", "must lie in [0, 1], got " + lambda);
        }
        positive("ppo.clipRange", clipRange);
        positive("ppo.valueClipRange", valueClipRange);
        positive("ppo.maxGradNorm", maxGradNorm);
        nonNegative("ppo.ptxCoef", ptxCoef);
        positive("ppo.rolloutBatch", rolloutBatch);
        positive("ppo.minibatch", minibatch);
        if (minibatch > rolloutBatch) {
            throw new ConfigException("ppo.minibatch", "must be at most ppo.rolloutBatch (" + rolloutBatch + "), got " + minibatch);
        }
        positive("ppo.epochs", epochs);
        positive("ppo.policyLearningRate", policyLearningRate);
        positive("ppo.criticLearningRate", criticLearningRate);
        positive("ppo.maxNewTokens", maxNewTokens);
        positive("ppo.temperature", temperature);
        positive("ppo.ptxBatch", ptxBatch);
        if (collapseWindow < 4 || collapseWindow % 2 != 0) {
            throw new ConfigException("ppo.collapseWindow", "must be an even number >= 4, got " + collapseWindow);
        }
    }

    private static void positive(String field, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new ConfigException(field, "must be a positive number, got " + v);
        }
    }

    private static void nonNegative(String field, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new ConfigException(field, "must be a non-negative number, got " + v);
        }
    }

    /**
     * PPO-max: KL penalty eta 0.05, reward normalisation and clipping at 5, critic from the reward model pre-trained
     * for 10 batches, GAE gamma 1 lambda 0.95, minibatch whitening, clip 0.2, value clipping 0.2, gradient clipping at 1;
     * no PPO-ptx term by default.
     */
    public static PpoSettings max() {
        return new PpoSettings("model", true, 0.05, true, 5.0, true, 10, 1.0, 0.95, true, 0.2, true, 0.2, true, 1.0, 0.0,
                32, 8, 1, 2e-5, 1e-4, 96, 1.0, 8, 10);
    }

    /** Plain PPO: every PPO-max switch off (no KL penalty, raw rewards, a fresh critic head without pre-training, ...). */
    public static PpoSettings vanilla() {
        PpoSettings m = max();
        return new PpoSettings(m.reward, false, m.klCoef, false, m.rewardClip, false, 0, m.gamma, m.lambda, false, m.clipRange,
                false, m.valueClipRange, false, m.maxGradNorm, 0.0, m.rolloutBatch, m.minibatch, m.epochs, m.policyLearningRate,
                m.criticLearningRate, m.maxNewTokens, m.temperature, m.ptxBatch, m.collapseWindow);
    }
}
