package dev.fulcrum.control.parl;

import dev.fulcrum.core.nn.Adam;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A-PARL (Chakraborty et al., "PARL: A Unified Framework for Policy Alignment in Reinforcement Learning from Human
 * Feedback", ICLR 2024, arXiv 2308.02585): reward learning from preferences as a bilevel problem whose upper-level data
 * come from the lower level's optimal policy.
 * <pre>
 *   upper:  max_nu  G(nu) = E_{y ~ rho(y; theta*(nu))} [ U_nu(y) ]
 *   lower:  theta*(nu) = argmax_theta V(nu, theta),
 *           V(nu, theta) = E_{pi_theta}[ sum_t r_nu(s_t, a_t, s_t+1) - lambda log pi_theta(a_t|s_t) ]
 * </pre>
 * Here {@code y = (tau_w, tau_l)} is a pair of trajectories of {@code pi_theta} labelled by the preference oracle, and
 * {@code U_nu(y) = log sigma(R_nu(tau_w) - R_nu(tau_l))} is its Bradley-Terry log-likelihood under the learned reward
 * {@code r_nu = nu . phi} ({@link LinearRewardModel}). Because the distribution of {@code y} depends on {@code nu} through
 * the policy, the hypergradient has two terms (the paper's central point):
 * <pre>
 *   grad G = E_rho[ grad_nu U_nu(y) ]                                                   (term 1: plain reward learning)
 *          + (d theta / d nu)^T E_rho[ (U_nu(y) - b) grad_theta log rho(y; theta) ]     (term 2: the data-distribution term)
 *   grad_theta log rho(y; theta) = s(tau_w) + s(tau_l),   s(tau) = sum_t grad log pi_theta(a_t|s_t)
 * </pre>
 * ({@code b} is the batch mean of {@code U}: a baseline, unbiased because {@code E[grad log rho] = 0}.) The algorithm box:
 * for each outer iteration, {@code K} policy-gradient steps on {@code r_nu} from the previous policy (warm start,
 * {@link PolicyGradient}), then oracle-labelled pairs from the resulting policy, then one step on {@code nu} along the
 * estimated {@code grad G}.
 *
 * <p><b>The Jacobian {@code d theta / d nu}.</b> The paper writes it by the implicit function theorem at the lower
 * optimum, {@code -[grad^2_theta V]^-1 grad^2_{theta nu} V}. This class differentiates through the {@code K} inner steps
 * actually taken, {@code theta_k+1 = theta_k + beta M_k nu} with {@code M_k = grad^2_{theta nu} V(theta_k)}: in reverse
 * mode, with {@code g} the second expectation above and {@code H_k = grad^2_theta V(nu, theta_k)},
 * <pre>
 *   a_K = g,   a_k = (I + beta H_k) a_k+1,   term 2 = sum_{k=0}^{K-1} beta M_k^T a_k+1
 * </pre>
 * This is the exact derivative of what the algorithm computes for any {@code K}, and tends to the paper's implicit form
 * (a Neumann series of the inverse Hessian) when the inner loop converges to a strict maximum; for a softmax policy,
 * whose Hessian is singular, it stays defined. {@code curvature = false} drops {@code H_k} ({@code a_k = g}: a first-order
 * approximation, exact for {@code K = 1}); {@code correction = false} drops term 2 altogether (an ablation).
 *
 * <p><b>What was and was not verified.</b> Only the paper's abstract could be retrieved while this was written (the
 * search tools returned no text of its body). The formulation and the two-term hypergradient above are our
 * reconstruction from the abstract ("explicitly parameterizing the distribution of the upper alignment objective by the
 * lower optimal variable") and from recollection of the method section (upper objective over trajectories of the lower
 * optimal policy, a score-function term through {@code theta*(nu)}, the implicit-function Jacobian, K inner
 * policy-gradient steps per outer step); equation numbers are therefore not cited, and the paper's step sizes, Hessian
 * approximation and any lower-level regularisation are not reproduced. The choices here are ours: entropy
 * regularisation of the lower level, differentiation through the inner steps, the baseline {@code b}, and Adam for the
 * step on {@code nu} (the paper: a plain step {@code alpha}). What is verified is internal: with
 * {@link TrajectorySource.ExactTabular} the estimator equals the finite-difference derivative of the whole K-step
 * procedure (tests).
 *
 * <p>Signal, anchor, balance: the signal is the oracle's preferences on the current policy's trajectories; the anchor is
 * the reward model's current {@code nu} (one optimiser step per iteration); the balance is the reward learning rate.
 */
public final class Aparl implements PreferenceLearner {

    /**
     * @param innerSteps       {@code K} policy-gradient steps per outer iteration
     * @param rolloutsPerStep  trajectories per inner step
     * @param policyStepSize   {@code beta}, plain gradient ascent on {@code theta}
     * @param entropy          {@code lambda}, the lower level's entropy regularisation ({@link PolicyGradient})
     * @param pairsPerIteration oracle queries per outer iteration
     * @param correction       include term 2 (false: the first-term-only ablation)
     * @param curvature        include {@code H_k} in the reverse pass (false: first-order Jacobian)
     */
    public record Settings(int innerSteps, int rolloutsPerStep, double policyStepSize, double entropy, int pairsPerIteration,
                           boolean correction, boolean curvature) {
        public Settings {
            if (innerSteps <= 0 || rolloutsPerStep <= 0 || pairsPerIteration <= 0 || !(policyStepSize > 0) || !(entropy >= 0)) {
                throw new IllegalArgumentException("A-PARL needs positive inner steps, rollouts, pairs and step size, entropy >= 0");
            }
        }
    }

    /** Both terms of the estimated hypergradient and the likelihood of the comparisons they came from. */
    public record Hypergradient(double[] likelihoodTerm, double[] distributionTerm, LinearRewardModel.Fit fit) {
        public double[] total() {
            double[] t = likelihoodTerm.clone();
            PolicyGradient.axpy(1, distributionTerm, t);
            return t;
        }
    }

    private final StochasticPolicy policy;
    private final LinearRewardModel reward;
    private final TrajectorySource source;
    private final Settings settings;
    private final Adam optimiser;

    public Aparl(StochasticPolicy policy, LinearRewardModel reward, TrajectorySource source, Settings settings, Adam optimiser) {
        this.policy = policy;
        this.reward = reward;
        this.source = source;
        this.settings = settings;
        this.optimiser = optimiser;
    }

    @Override
    public String name() {
        return settings.correction() ? "aparl" : "aparl-no-correction";
    }

    @Override
    public Map<String, Double> iterate() {
        double[] nu = reward.weights();
        List<PolicyGradient.InnerStep> steps = PolicyGradient.innerLoop(policy, source, nu, settings.entropy(), settings.innerSteps(),
                settings.rolloutsPerStep(), settings.policyStepSize());
        Comparisons comparisons = source.comparisons(policy, settings.pairsPerIteration());
        Hypergradient h = hypergradient(steps, comparisons, nu);
        double[] extra = settings.correction() ? h.distributionTerm() : new double[nu.length];
        reward.ascend(comparisons, extra, optimiser);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("preference_log_likelihood", h.fit().logLikelihood());
        m.put("preference_accuracy", h.fit().accuracy());
        m.put("likelihood_term_norm", norm(h.likelihoodTerm()));
        m.put("distribution_term_norm", norm(h.distributionTerm()));
        m.put("inner_gradient_norm", norm(steps.getLast().gradient()));
        return m;
    }

    /**
     * The hypergradient at the current policy (which must be {@code theta_K}, the end of {@code steps}) for the
     * comparisons drawn from it. {@code nu} is the reward the inner steps used.
     */
    public Hypergradient hypergradient(List<PolicyGradient.InnerStep> steps, Comparisons comparisons, double[] nu) {
        LinearRewardModel.Fit fit = reward.fit(comparisons);
        double[] term2 = new double[nu.length];
        if (comparisons.size() == 0 || !settings.correction()) {
            return new Hypergradient(fit.gradient(), term2, fit);
        }
        double[] g = scoreWeightedByLikelihood(comparisons, fit.perComparison());
        double[] a = g;
        double beta = settings.policyStepSize();
        for (int k = steps.size() - 1; k >= 0; k--) {
            PolicyGradient.InnerStep step = steps.get(k);
            for (int j = 0; j < nu.length; j++) {
                term2[j] += beta * PolicyGradient.dot(step.featureGradients()[j], a);
            }
            if (settings.curvature() && k > 0) {
                double[] next = a.clone();
                PolicyGradient.axpy(beta, PolicyGradient.hessianVectorProduct(policy, step, nu, settings.entropy(), a), next);
                a = next;
            }
        }
        return new Hypergradient(fit.gradient(), term2, fit);
    }

    /** {@code g = sum_e w_e (U_e - b) (s(tau_w) + s(tau_l))} at the current parameters, in one weighted-score call. */
    private double[] scoreWeightedByLikelihood(Comparisons comparisons, double[] u) {
        double weightSum = 0, mean = 0;
        for (int e = 0; e < u.length; e++) {
            mean += comparisons.weights()[e] * u[e];
            weightSum += comparisons.weights()[e];
        }
        mean /= weightSum;
        List<Trajectory> batch = new ArrayList<>(2 * u.length);
        List<Double> perTrajectory = new ArrayList<>(2 * u.length);
        for (int e = 0; e < u.length; e++) {
            double coefficient = comparisons.weights()[e] * (u[e] - mean);
            batch.add(comparisons.preferred().get(e));
            perTrajectory.add(coefficient);
            batch.add(comparisons.rejected().get(e));
            perTrajectory.add(coefficient);
        }
        double[] stepWeights = new double[StochasticPolicy.steps(batch)];
        int i = 0;
        for (int n = 0; n < batch.size(); n++) {
            for (int t = 0; t < batch.get(n).length(); t++) {
                stepWeights[i++] = perTrajectory.get(n);
            }
        }
        return policy.weightedScore(batch, stepWeights);
    }

    @Override
    public StochasticPolicy policy() {
        return policy;
    }

    @Override
    public LinearRewardModel reward() {
        return reward;
    }

    static double norm(double[] x) {
        return Math.sqrt(PolicyGradient.dot(x, x));
    }
}
