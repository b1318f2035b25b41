package dev.fulcrum.lm.rl;

import ai.djl.ndarray.NDArray;
import dev.fulcrum.core.nn.Scalars;

/**
 * The token-level losses of PPO on language models (Schulman et al. 2017; as PPO-max uses them, Zheng et al. 2023,
 * "Secrets of RLHF in Large Language Models Part I: PPO", section 5). Every tensor is {@code [N, L]} over the response
 * tokens of {@code N} rollouts, padded to the longest, with a 0/1 {@code mask}; means run over real tokens only.
 */
public final class PpoLosses {
    private PpoLosses() {
    }

    /**
     * The clipped surrogate objective, negated as a loss (Schulman et al. 2017, eq. 7):
     * <pre>
     *   rho_t = exp(log pi(y_t) - log pi_old(y_t))
     *   L_CLIP = - mean_t min(rho_t A_t, clip(rho_t, 1 - eps, 1 + eps) A_t)
     * </pre>
     */
    public static NDArray clippedSurrogate(NDArray logProbs, NDArray oldLogProbs, NDArray advantages, NDArray mask, double eps) {
        NDArray ratio = logProbs.sub(oldLogProbs).exp();
        NDArray unclipped = ratio.mul(advantages);
        NDArray clipped = ratio.clip(1 - eps, 1 + eps).mul(advantages);
        return maskedMean(unclipped.minimum(clipped), mask).neg();
    }

    /** Share of real tokens whose ratio lies outside {@code [1 - eps, 1 + eps]} (where the clip removes the gradient). */
    public static double policyClipFraction(NDArray logProbs, NDArray oldLogProbs, NDArray mask, double eps) {
        NDArray outside = logProbs.sub(oldLogProbs).exp().sub(Scalars.of(logProbs, 1)).abs().gt(Scalars.of(logProbs, eps));
        return fraction(outside, mask);
    }

    /**
     * The value loss, with PPO2's clipping around the rollout's values when {@code clip} is on (PPO-max's "value function
     * clipping", Zheng et al. 2023 section 5.3.3):
     * <pre>
     *   L_V = 1/2 mean_t max((V_t - R_t)^2, (V_old,t + clip(V_t - V_old,t, -eps, eps) - R_t)^2)
     * </pre>
     * and {@code 1/2 mean_t (V_t - R_t)^2} without clipping; {@code R} are the GAE returns.
     */
    public static NDArray valueLoss(NDArray values, NDArray oldValues, NDArray returns, NDArray mask, boolean clip, double eps) {
        NDArray squared = values.sub(returns).square();
        if (clip) {
            NDArray clippedValues = oldValues.add(values.sub(oldValues).clip(-eps, eps));
            squared = squared.maximum(clippedValues.sub(returns).square());
        }
        return maskedMean(squared, mask).mul(Scalars.of(values, 0.5));
    }

    /** Share of real tokens whose value moved more than {@code eps} from the rollout's (where the clip acts). */
    public static double valueClipFraction(NDArray values, NDArray oldValues, NDArray mask, double eps) {
        return fraction(values.sub(oldValues).abs().gt(Scalars.of(values, eps)), mask);
    }

    /**
     * Token-level rewards with the KL penalty to the reference model (Ouyang et al. 2022, eq. 2, per token; Zheng et al.
     * 2023 eq. 13):
     * <pre>
     *   r_t = - eta (log pi_old(y_t) - log pi_ref(y_t)) + [t = last] s
     * </pre>
     * with {@code s} the rollout's (normalised) scalar reward {@code [N]} and {@code lastMask} 1 at each row's last real
     * token. {@code eta = 0} leaves only the final reward.
     */
    public static NDArray shapedRewards(NDArray logProbs, NDArray refLogProbs, NDArray mask, NDArray lastMask, NDArray scores,
                                        double eta) {
        NDArray terminal = lastMask.mul(scores.expandDims(1));
        if (eta == 0) {
            return terminal;
        }
        NDArray penalty = logProbs.sub(refLogProbs).mul(mask).mul(Scalars.of(logProbs, -eta));
        return penalty.add(terminal);
    }

    /** Per-token entropy of the next-token distributions {@code [N, L, V]} of logits: {@code -sum_v p_v log p_v}. */
    public static NDArray entropy(NDArray logits) {
        NDArray logP = logits.logSoftmax(-1);
        return logP.exp().mul(logP).sum(new int[] {-1}).neg();
    }

    /** {@code sum(x * mask) / sum(mask)}. */
    public static NDArray maskedMean(NDArray x, NDArray mask) {
        return x.mul(mask).sum().div(mask.sum());
    }

    private static double fraction(NDArray indicator, NDArray mask) {
        double[] on = indicator.toType(mask.getDataType(), false).mul(mask).sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                .toDoubleArray();
        double[] total = mask.sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        return on[0] / total[0];
    }
}
