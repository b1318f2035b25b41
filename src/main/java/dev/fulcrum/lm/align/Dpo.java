package dev.fulcrum.lm.align;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.fulcrum.core.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Direct Preference Optimisation (Rafailov et al., "Direct Preference Optimization: Your Language Model is Secretly a
 * Reward Model", NeurIPS 2023) and the offline pairwise variants users of TRL select by {@code loss_type}.
 *
 * <p>Signal: the preference pair. Anchor: the reference model, through the log-ratios {@code h(y) = lp_pi(y) - lp_ref(y)}.
 * Balance: {@code beta}. With {@code z = h(yw) - h(yl)} and label smoothing {@code e}:
 * <pre>
 *   sigmoid  L = -(1-e) log sigma(beta z) - e log sigma(-beta z)        DPO eq. 7; e > 0 is conservative DPO (cDPO)
 *   robust   L = [-(1-e) log sigma(beta z) + e log sigma(-beta z)] / (1 - 2e)
 *                                          unbiased under label-flip rate e (Chowdhury et al. 2024, rDPO eq. 7)
 *   hinge    L = max(0, 1 - beta z)                                      SLiC-HF (Zhao et al. 2023) on log-ratios
 *   ipo      L = (z - 1/(2 beta))^2, with h on length-averaged log-probs (Azar et al. 2024, IPO eq. 17; TRL averages)
 *   simpo    L = -log sigma(beta (lp_pi(yw)/|yw| - lp_pi(yl)/|yl|) - gamma)   no reference (Meng et al. 2024, eq. 6)
 * </pre>
 * With {@code rpoAlpha = a > 0} every variant adds the chosen response's length-normalised negative log-likelihood,
 * <pre>
 *   L_RPO = L + a * (-lp_pi(yw) / |yw|)         DPO+NLL of Pang et al. 2024 ("Iterative Reasoning Preference
 *                                               Optimization"), weight 1 there; TRL's rpo_alpha
 * </pre>
 * so the chosen responses' likelihood is held up while the margin grows (the paper normalises the NLL by the length of
 * prompt and response; here, as the log-probabilities cover the response only, by the response's).
 * {@link #loss} returns the per-pair losses {@code [B]}; the trainer takes their mean. {@link #metrics} reports what TRL
 * logs: implicit rewards {@code beta h(y)} of the chosen and rejected completions, their margin and how often the chosen
 * one's is larger, and the policy's log-probabilities, under TRL's names ({@code rewards/chosen}, {@code rewards/rejected},
 * {@code rewards/margins}, {@code rewards/accuracies}, {@code logps/chosen}, {@code logps/rejected}).
 */
public final class Dpo implements PairObjective {

    /** The loss family ({@code loss_type} in TRL). */
    public enum Variant {
        SIGMOID, ROBUST, HINGE, IPO, SIMPO;

        public static Variant parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown DPO loss '" + name + "' (known: sigmoid, robust, hinge, ipo, simpo)");
            }
        }
    }

    /**
     * @param variant        loss family
     * @param beta           balance between the preference signal and the reference anchor (DPO: 0.1; SimPO: 2.0-2.5)
     * @param labelSmoothing assumed share of flipped labels {@code e} in [0, 0.5) (sigmoid and robust only)
     * @param simpoGamma     SimPO's target reward margin {@code gamma} (simpo only)
     * @param rpoAlpha       weight of the chosen responses' length-normalised NLL (RPO); 0: none
     */
    public record Config(Variant variant, double beta, double labelSmoothing, double simpoGamma, double rpoAlpha) {
        public static Config defaults() {
            return new Config(Variant.SIGMOID, 0.1, 0.0, 0.5);
        }

        /** Without the NLL term. */
        public Config(Variant variant, double beta, double labelSmoothing, double simpoGamma) {
            this(variant, beta, labelSmoothing, simpoGamma, 0.0);
        }

        public Config {
            if (variant == null) {
                throw new IllegalArgumentException("dpo.variant must be set");
            }
            if (!(beta > 0)) {
                throw new IllegalArgumentException("dpo.beta must be positive, got " + beta);
            }
            if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
                throw new IllegalArgumentException("dpo.labelSmoothing must be in [0, 0.5), got " + labelSmoothing);
            }
            if (!(simpoGamma >= 0)) {
                throw new IllegalArgumentException("dpo.simpoGamma must be non-negative, got " + simpoGamma);
            }
            if (!(rpoAlpha >= 0) || !Double.isFinite(rpoAlpha)) {
                throw new IllegalArgumentException("dpo.rpoAlpha must be a non-negative number, got " + rpoAlpha);
            }
        }
    }

    private final Config config;

    public Dpo(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return config.variant() == Variant.SIGMOID ? "dpo" : "dpo-" + config.variant().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean needsReference() {
        return config.variant() != Variant.SIMPO;
    }

    @Override
    public NDArray loss(PairScores s) {
        NDArray pairLoss = pairLoss(s);
        if (config.rpoAlpha() == 0) {
            return pairLoss;
        }
        return pairLoss.sub(perToken(s.policyChosen(), s.chosenTokens()).mul(Scalars.of(s.policyChosen(), config.rpoAlpha())));
    }

    private NDArray pairLoss(PairScores s) {
        double beta = config.beta();
        double e = config.labelSmoothing();
        return switch (config.variant()) {
            case SIGMOID -> smoothedLogistic(logRatioMargin(s).mul(Scalars.of(s.policyChosen(), beta)), e);
            case ROBUST -> {
                NDArray betaZ = logRatioMargin(s).mul(Scalars.of(s.policyChosen(), beta));
                NDArray forward = softplus(betaZ.neg()).mul(Scalars.of(betaZ, 1 - e));  // -(1-e) log sigma(beta z)
                NDArray flipped = softplus(betaZ).mul(Scalars.of(betaZ, e));             // -e log sigma(-beta z)
                yield forward.sub(flipped).div(Scalars.of(betaZ, 1 - 2 * e));
            }
            case HINGE -> { // 1 - beta z, written with the batch tensor first so the result lives in its scope
                NDArray slack = logRatioMargin(s).mul(Scalars.of(s.policyChosen(), -beta)).add(Scalars.of(s.policyChosen(), 1.0));
                yield slack.maximum(Scalars.of(slack, 0.0));
            }
            case IPO -> {
                NDArray z = perToken(s.policyChosen(), s.chosenTokens()).sub(perToken(s.referenceChosen().stopGradient(), s.chosenTokens()))
                        .sub(perToken(s.policyRejected(), s.rejectedTokens()).sub(perToken(s.referenceRejected().stopGradient(), s.rejectedTokens())));
                yield z.sub(Scalars.of(z, 1.0 / (2 * beta))).square();
            }
            case SIMPO -> {
                NDArray margin = perToken(s.policyChosen(), s.chosenTokens()).sub(perToken(s.policyRejected(), s.rejectedTokens()))
                        .mul(Scalars.of(s.policyChosen(), beta)).sub(Scalars.of(s.policyChosen(), config.simpoGamma()));
                yield smoothedLogistic(margin, e);
            }
        };
    }

    @Override
    public Map<String, Double> metrics(PairScores s) {
        NDArray chosen;
        NDArray rejected;
        if (config.variant() == Variant.SIMPO) {
            chosen = perToken(s.policyChosen(), s.chosenTokens()).mul(Scalars.of(s.policyChosen(), config.beta()));
            rejected = perToken(s.policyRejected(), s.rejectedTokens()).mul(Scalars.of(s.policyChosen(), config.beta()));
        } else {
            chosen = s.chosenLogRatio().mul(Scalars.of(s.policyChosen(), config.beta()));
            rejected = s.rejectedLogRatio().mul(Scalars.of(s.policyChosen(), config.beta()));
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rewards/chosen", mean(chosen));
        m.put("rewards/rejected", mean(rejected));
        m.put("rewards/margins", mean(chosen.sub(rejected)));
        m.put("rewards/accuracies", mean(chosen.gt(rejected).toType(chosen.getDataType(), false)));
        m.put("logps/chosen", mean(s.policyChosen()));
        m.put("logps/rejected", mean(s.policyRejected()));
        if (config.rpoAlpha() > 0) {
            m.put("nll_loss", -mean(perToken(s.policyChosen(), s.chosenTokens())));
        }
        return m;
    }

    /** {@code z = h(yw) - h(yl)}. */
    static NDArray logRatioMargin(PairScores s) {
        return s.chosenLogRatio().sub(s.rejectedLogRatio());
    }

    /** {@code -(1-e) log sigma(x) - e log sigma(-x) = (1-e) softplus(-x) + e softplus(x)}. */
    static NDArray smoothedLogistic(NDArray x, double e) {
        NDArray loss = softplus(x.neg());
        return e == 0 ? loss : loss.mul(Scalars.of(x, 1 - e)).add(softplus(x).mul(Scalars.of(x, e)));
    }

    /** {@code log(1 + e^x)}, computed stably by the engine. */
    static NDArray softplus(NDArray x) {
        return Activation.softPlus(x);
    }

    private static NDArray perToken(NDArray logProb, NDArray tokens) {
        return logProb.div(tokens);
    }

    private static double mean(NDArray a) {
        return a.mean().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }
}
