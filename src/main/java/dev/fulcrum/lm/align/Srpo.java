package dev.fulcrum.lm.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Self-Improving Robust Preference Optimization (SRPO; Choi, Ahmadian, Geist, Pietquin and Gheshlaghi Azar, "Self-Improving
 * Robust Preference Optimization", arXiv 2406.01660, ICLR 2025): the joint offline loss of a generator {@code pi(y|x)} and a
 * self-improvement (revision) policy {@code pi(y'|x, y)} that are one model, the reviser reading
 * {@link RevisionPrompt#revise}.
 *
 * <p>Signal: the preference pair, both as first answers and as revisions of each other. Anchor: the frozen reference model,
 * through the log-ratios {@code h(y|c) = log pi(y|c) - log pi_ref(y|c)} under every context {@code c}. Balance: {@code beta}
 * (regularisation) and {@code alpha} (generative vs self-improvement terms). Per pair:
 * <pre>
 *   S_rej = (1/2 - beta [h(yw|x,yl) - h(yl|x,yl)])^2          improve the rejected draft: towards yw, away from yl
 *   S_cho = (1/2 - beta [h(yw|x,yw) - h(yl|x,yw)])^2          keep the chosen draft: yw over yl
 *   G     = (beta [h(yw|x,yl) + h(yw|x) - h(yl|x,yw) - h(yl|x)] - 1)^2
 *   L     = (1 - alpha) G + alpha (S_rej + S_cho)             defaults alpha 0.8, beta 0.01
 * </pre>
 *
 * <p>What was verified, and against what (public material searched in November 2026; the paper's own equations could not be read):
 * <ul>
 *   <li>From the paper's abstract and public summaries of it (arXiv HTML v3 front matter, Cohere's Command A report): SRPO
 *       is a KL-regularised min-max game {@code min_pi max_pi' E[P(y' > y | x)] - beta KL(pi' || ref | x, y) + beta KL(pi
 *       || ref | x)} between a self-improvement policy and a generative policy, rewritten as a non-adversarial offline loss
 *       {@code L_alpha} that mixes generative and self-improvement terms with a weight {@code alpha}, and it is evaluated
 *       with up to 5 self-revisions {@code y_{k+1} ~ pi(.|x, y_k)}.</li>
 *   <li>The four terms above, their targets (1/2, 1/2, 1), the signs, the mixing {@code (1-alpha) G + alpha (S_rej +
 *       S_cho)}, {@code alpha = 0.8} and {@code beta = 0.01} are exactly those of the community implementation submitted to
 *       TRL (huggingface/trl pull request 1772, {@code SRPOTrainer.srpo_loss}; not merged, not written by the authors).</li>
 *   <li>Own consistency check of the self-improvement targets: for an IPO-style squared loss the optimal reviser satisfies
 *       {@code beta [h(y1|x,y) - h(y2|x,y)] = P(y1 > y) - P(y2 > y)}; with a sure preference {@code P(yw > yl) = 1} and
 *       {@code P(y > y) = 1/2} this gives 1/2 for both {@code y = yl} and {@code y = yw}, the targets of S_rej and S_cho.</li>
 * </ul>
 * Not verified: that the paper's own {@code L_alpha} (its equation numbers, the generative term's target 1 and which terms
 * {@code alpha} weighs) is the same as the community loss; the paper's text beyond the front matter was not available.
 *
 * <p>{@link #loss} returns per-pair losses {@code [B]}; the trainer takes their mean.
 */
public final class Srpo {

    /**
     * @param alpha weight of the self-improvement terms; {@code 1 - alpha} weighs the generative term (in [0, 1])
     * @param beta  KL regularisation: the log-ratio margins are pushed towards {@code 1/(2 beta)} (self-improvement) and
     *              {@code 1/beta} (generative)
     */
    public record Config(double alpha, double beta) {
        public static Config defaults() {
            return new Config(0.8, 0.01);
        }

        public Config {
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("srpo.alpha must be in [0, 1], got " + alpha);
            }
            if (!(beta > 0) || !Double.isFinite(beta)) {
                throw new IllegalArgumentException("srpo.beta must be positive, got " + beta);
            }
        }
    }

    /** The three terms per pair, {@code [B]} each. */
    public record Terms(NDArray generative, NDArray improveRejected, NDArray keepChosen) {
    }

    private final Config config;

    public Srpo(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** {@code G}, {@code S_rej}, {@code S_cho} of every pair. */
    public Terms terms(RevisionLogProbs policy, RevisionLogProbs reference) {
        RevisionLogProbs h = policy.minus(reference);
        NDArray like = policy.chosen();
        double beta = config.beta();
        NDArray improveMargin = h.chosenGivenRejected().sub(h.rejectedGivenRejected()).mul(Scalars.of(like, beta));
        NDArray keepMargin = h.chosenGivenChosen().sub(h.rejectedGivenChosen()).mul(Scalars.of(like, beta));
        NDArray generativeMargin = h.chosenGivenRejected().add(h.chosen()).sub(h.rejectedGivenChosen()).sub(h.rejected())
                .mul(Scalars.of(like, beta));
        return new Terms(generativeMargin.sub(Scalars.of(like, 1.0)).square(),
                improveMargin.sub(Scalars.of(like, 0.5)).square(), keepMargin.sub(Scalars.of(like, 0.5)).square());
    }

    /** {@code L = (1 - alpha) G + alpha (S_rej + S_cho)} per pair, {@code [B]}. */
    public NDArray loss(RevisionLogProbs policy, RevisionLogProbs reference) {
        Terms t = terms(policy, reference);
        NDArray like = policy.chosen();
        return t.generative().mul(Scalars.of(like, 1 - config.alpha()))
                .add(t.improveRejected().add(t.keepChosen()).mul(Scalars.of(like, config.alpha())));
    }

    /**
     * Diagnostics of the batch (no gradient): the three terms; the implicit rewards {@code beta h} of the chosen and
     * rejected first answers, their margin and how often the chosen one's is larger (as TRL names them); and the share of
     * pairs where the reviser prefers {@code yw} to {@code yl} given the rejected draft ({@code revision_accuracy_rejected})
     * and given the chosen draft ({@code revision_accuracy_chosen}).
     */
    public Map<String, Double> metrics(RevisionLogProbs policy, RevisionLogProbs reference) {
        Terms t = terms(policy, reference);
        RevisionLogProbs h = policy.minus(reference);
        NDArray like = policy.chosen();
        NDArray chosen = h.chosen().mul(Scalars.of(like, config.beta()));
        NDArray rejected = h.rejected().mul(Scalars.of(like, config.beta()));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("srpo_generative", mean(t.generative()));
        m.put("srpo_improve_rejected", mean(t.improveRejected()));
        m.put("srpo_keep_chosen", mean(t.keepChosen()));
        m.put("rewards_chosen", mean(chosen));
        m.put("rewards_rejected", mean(rejected));
        m.put("rewards_margin", mean(chosen.sub(rejected)));
        m.put("rewards_accuracy", mean(chosen.gt(rejected).toType(like.getDataType(), false)));
        m.put("revision_accuracy_rejected",
                mean(h.chosenGivenRejected().gt(h.rejectedGivenRejected()).toType(like.getDataType(), false)));
        m.put("revision_accuracy_chosen", mean(h.chosenGivenChosen().gt(h.rejectedGivenChosen()).toType(like.getDataType(), false)));
        m.put("logps_chosen", mean(policy.chosen()));
        m.put("logps_rejected", mean(policy.rejected()));
        return m;
    }

    private static double mean(NDArray a) {
        return a.mean().toType(DataType.FLOAT64, false).getDouble();
    }
}
