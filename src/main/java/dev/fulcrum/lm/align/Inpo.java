package dev.fulcrum.lm.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss of one iteration of Iterative Nash Policy Optimization (Zhang et al., "Iterative Nash Policy Optimization:
 * Aligning LLMs with General Preferences via No-Regret Learning", 2024). With the fixed reference {@code ref}, the
 * previous iterate {@code pi_t} (the second anchor of {@link PairScores}) and a pair in which {@code yw} beat
 * {@code yl}:
 * <pre>
 *   h_t(yw, yl) = log(pi(yw)/pi(yl)) - (tau/eta) log(ref(yw)/ref(yl)) - ((eta - tau)/eta) log(pi_t(yw)/pi_t(yl))
 *   L           = (h_t(yw, yl) - 1/(2 eta))^2
 * </pre>
 * on summed sequence log-probabilities. Signal: the preference pair (the policy playing against its previous iterate).
 * Anchors: the reference, weighted {@code tau/eta} (KL regularisation), and the previous iterate, weighted
 * {@code (eta - tau)/eta} (the mirror-descent step). Balance: {@code eta} (inverse step size) and {@code tau}.
 *
 * <p>Why the minimiser is the INPO update (derived here, as for IPO): with pairs drawn from {@code pi_t} and labelled by a
 * general preference {@code P}, the squared loss over both orders of a pair is minimised by
 * {@code h_t(y, y') = (P(y > pi_t) - P(y' > pi_t)) / eta}, which is exactly what the policy
 * {@code pi ~ ref^(tau/eta) pi_t^((eta - tau)/eta) exp(P(y > pi_t)/eta)} gives: one online-mirror-descent step on the
 * KL-regularised preference game, without estimating any response's win rate. With {@code tau = eta} the previous iterate
 * drops out and the loss is IPO on summed log-probabilities with {@code beta = eta}.
 */
public final class Inpo implements PairObjective {

    /**
     * @param eta balance: the target log-ratio margin is {@code 1/(2 eta)}
     * @param tau KL-regularisation strength toward the reference, {@code 0 <= tau <= eta} (the paper's practice:
     *            {@code tau = eta/3})
     */
    public record Config(double eta, double tau) {
        public static Config defaults() {
            return new Config(0.1, 0.1 / 3);
        }

        public Config {
            if (!(eta > 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("inpo.eta must be positive and finite, got " + eta);
            }
            if (!(tau >= 0 && tau <= eta)) {
                throw new IllegalArgumentException("inpo.tau must be in [0, eta] = [0, " + eta + "], got " + tau);
            }
        }
    }

    private final Config config;

    public Inpo(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return "inpo";
    }

    @Override
    public boolean needsReference() {
        return true;
    }

    /** INPO also reads the previous iterate's log-probabilities (the second anchor). */
    @Override
    public boolean needsAnchor() {
        return true;
    }

    @Override
    public NDArray loss(PairScores s) {
        NDArray h = h(s);
        return h.sub(Scalars.of(h, 1.0 / (2 * config.eta()))).square();
    }

    /** {@code h_t(yw, yl)} per pair. */
    NDArray h(PairScores s) {
        if (!s.hasReference() || !s.hasAnchor()) {
            throw new IllegalStateException("INPO needs the log-probabilities of the reference and of the previous iterate");
        }
        double eta = config.eta(), tau = config.tau();
        NDArray policy = s.policyChosen().sub(s.policyRejected());
        NDArray reference = s.referenceChosen().stopGradient().sub(s.referenceRejected().stopGradient());
        NDArray previous = s.anchorChosen().stopGradient().sub(s.anchorRejected().stopGradient());
        return policy.sub(reference.mul(Scalars.of(reference, tau / eta)))
                .sub(previous.mul(Scalars.of(previous, (eta - tau) / eta)));
    }

    /**
     * {@code inpo/h} (mean {@code h_t}, which training drives toward {@code inpo/h_target = 1/(2 eta)}), the share of
     * pairs with {@code h_t > 0} ({@code rewards/accuracies}, TRL's name), and the policy's log-probabilities.
     */
    @Override
    public Map<String, Double> metrics(PairScores s) {
        NDArray h = h(s);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("inpo/h", mean(h));
        m.put("inpo/h_target", 1.0 / (2 * config.eta()));
        m.put("rewards/accuracies", mean(h.gt(Scalars.of(h, 0.0)).toType(h.getDataType(), false)));
        m.put("logps/chosen", mean(s.policyChosen()));
        m.put("logps/rejected", mean(s.policyRejected()));
        return m;
    }

    private static double mean(NDArray a) {
        return a.mean().toType(DataType.FLOAT64, false).getDouble();
    }
}
