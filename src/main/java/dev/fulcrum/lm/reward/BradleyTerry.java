package dev.fulcrum.lm.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import dev.fulcrum.core.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Bradley-Terry reward-model objective (Bradley and Terry 1952; as used for RLHF reward models by Ouyang et al. 2022,
 * eq. 1): the probability that {@code yw} is preferred is {@code sigma(r(x,yw) - r(x,yl))}, so
 * <pre>
 *   L = mean( -log sigma(r_w - r_l) ) + c * mean( (r_w + r_l)^2 )
 * </pre>
 * The second term (TRL's {@code center_rewards_coefficient}, Eisenstein et al. 2023) pins the reward's free additive
 * constant near zero; {@code c = 0} switches it off. Per-pair losses are {@code [B]}.
 */
public final class BradleyTerry {
    private BradleyTerry() {
    }

    /** Per-pair losses {@code softplus(-(r_w - r_l)) + c (r_w + r_l)^2}. */
    public static NDArray loss(NDArray rewardChosen, NDArray rewardRejected, double centeringCoefficient) {
        if (!(centeringCoefficient >= 0)) {
            throw new IllegalArgumentException("reward.centering must be non-negative, got " + centeringCoefficient);
        }
        NDArray nll = Activation.softPlus(rewardRejected.sub(rewardChosen));
        if (centeringCoefficient == 0) {
            return nll;
        }
        return nll.add(rewardChosen.add(rewardRejected).square().mul(Scalars.of(rewardChosen, centeringCoefficient)));
    }

    /** Accuracy (share of pairs with {@code r_w > r_l}), mean margin and mean rewards of a batch. */
    public static Map<String, Double> metrics(NDArray rewardChosen, NDArray rewardRejected) {
        Map<String, Double> m = new LinkedHashMap<>();
        NDArray margin = rewardChosen.sub(rewardRejected);
        m.put("accuracy", mean(margin.gt(Scalars.of(margin, 0.0)).toType(margin.getDataType(), false)));
        m.put("margin", mean(margin));
        m.put("reward_chosen", mean(rewardChosen));
        m.put("reward_rejected", mean(rewardRejected));
        return m;
    }

    private static double mean(NDArray a) {
        return a.mean().toType(DataType.FLOAT64, false).getDouble();
    }
}
