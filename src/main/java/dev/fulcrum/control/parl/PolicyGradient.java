package dev.fulcrum.control.parl;

import java.util.ArrayList;
import java.util.List;

/**
 * The lower level of PARL: plain policy-gradient ascent on the entropy-regularised value of the learned reward,
 * <pre>
 *   V(nu, theta) = E_{pi_theta}[ sum_t ( nu . phi_t - lambda log pi_theta(a_t|s_t) ) ],
 * </pre>
 * and the derivatives of that ascent the A-PARL hypergradient needs. ({@code lambda = 0} is the unregularised value; a
 * positive {@code lambda} keeps the policy stochastic, so that the pairs it shows the oracle differ.)
 * <pre>
 *   F_t       = sum_{t' >= t} phi_t'                                            (features to go, a d-vector)
 *   M(theta)  = d/dnu grad_theta V = E[ sum_t grad log pi(a_t|s_t) (F_t - f_t)^T ]      (p x d: one policy gradient per feature)
 *   theta_k+1 = theta_k + beta grad_theta V(nu, theta_k)                         (one inner step)
 * </pre>
 * with {@code f_t} the batch mean of {@code F_t} over trajectories still running at step {@code t} (a baseline).
 *
 * <p>Gradient and Hessian come from one importance-weighted surrogate of {@code V} at parameters {@code theta'} for a
 * batch drawn at {@code theta}: with per-decision ratios {@code rho_t = prod_{u<=t} pi_theta'(a_u|s_u) / pi_theta(a_u|s_u)},
 * soft rewards {@code r_t = nu . phi_t - lambda log pi_theta'(a_t|s_t)} and a baseline {@code b_t} fixed at {@code theta},
 * <pre>
 *   L(theta') = E_theta[ sum_t rho_t r_t - sum_t (rho_t - rho_t-1) b_t ]      (= V(nu, theta') for every theta', in expectation)
 *   grad L(theta') = E[ sum_k grad log pi_theta'(a_k|s_k) c_k ],
 *   c_k = sum_{t>=k} rho_t r_t - lambda rho_k - ( sum_{u>=k} b_u rho_u - sum_{u>k} b_u rho_u-1 )
 * </pre>
 * At {@code theta' = theta} this is REINFORCE with soft reward-to-go and baseline, {@code c_k = R_k - lambda - b_k}. The
 * Hessian-vector product {@code H v} is the central difference of {@code grad L} along {@code v} (accurate to
 * {@code O(eps^2)}, about 1e-9 relative here): an unbiased estimate of {@code grad^2_theta V v} from the same rollouts,
 * and exact on probability-weighted enumerations.
 */
public final class PolicyGradient {
    /** Size of the parameter perturbation {@code ||eps v||} for the central differences. */
    static final double DIFFERENCE_STEP = 1e-5;

    private PolicyGradient() {
    }

    /**
     * One recorded inner step: the parameters it started from, the rollouts it used with their log-probabilities and the
     * baseline at those parameters, the per-feature policy gradients {@code M} (row {@code j}: the policy gradient of
     * feature {@code j}, length p), and the gradient it followed.
     */
    public record InnerStep(double[] theta, Rollouts rollouts, double[] logProbabilities, double[] baseline,
                            double[][] featureGradients, double[] gradient) {
    }

    /** Runs {@code k} inner steps from the policy's current parameters, drawing fresh rollouts for each. */
    public static List<InnerStep> innerLoop(StochasticPolicy policy, TrajectorySource source, double[] nu, double entropy, int k,
                                            int rollouts, double stepSize) {
        List<InnerStep> steps = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            steps.add(step(policy, source.rollouts(policy, rollouts), nu, entropy, stepSize));
        }
        return steps;
    }

    /** {@code theta <- theta + beta grad_theta V(nu, theta)} estimated on {@code rollouts} drawn from the current policy. */
    public static InnerStep step(StochasticPolicy policy, Rollouts rollouts, double[] nu, double entropy, double stepSize) {
        double[] theta = policy.parameters();
        double[] logProbabilities = policy.logProbabilities(rollouts.trajectories());
        double[] baseline = softBaseline(rollouts, logProbabilities, nu, entropy);
        double[] g = surrogateGradient(policy, rollouts, logProbabilities, baseline, nu, entropy);
        double[][] m = featureGradients(policy, rollouts);
        double[] next = theta.clone();
        axpy(stepSize, g, next);
        policy.setParameters(next);
        return new InnerStep(theta, rollouts, logProbabilities, baseline, m, g);
    }

    /** {@code M(theta)} transposed: one row per feature, {@code E[sum_t grad log pi(a_t|s_t) (F_t,j - f_t,j)]}. */
    public static double[][] featureGradients(StochasticPolicy policy, Rollouts rollouts) {
        List<Trajectory> batch = rollouts.trajectories();
        int d = featureDimension(batch);
        List<double[][]> toGo = new ArrayList<>(batch.size());
        int maxLength = 0;
        for (Trajectory t : batch) {
            toGo.add(t.featuresToGo());
            maxLength = Math.max(maxLength, t.length());
        }
        double[][] mean = new double[maxLength][d];
        double[] alive = new double[maxLength];
        for (int n = 0; n < batch.size(); n++) {
            double w = rollouts.weights()[n];
            for (int t = 0; t < batch.get(n).length(); t++) {
                alive[t] += w;
                axpy(w, toGo.get(n)[t], mean[t]);
            }
        }
        for (int t = 0; t < maxLength; t++) {
            for (int j = 0; j < d; j++) {
                mean[t][j] = alive[t] > 0 ? mean[t][j] / alive[t] : 0;
            }
        }
        int steps = StochasticPolicy.steps(batch);
        double[][] m = new double[d][];
        for (int j = 0; j < d; j++) {
            double[] weights = new double[steps];
            int i = 0;
            boolean any = false;
            for (int n = 0; n < batch.size(); n++) {
                double w = rollouts.weights()[n];
                for (int t = 0; t < batch.get(n).length(); t++) {
                    weights[i] = w * (toGo.get(n)[t][j] - mean[t][j]);
                    any |= weights[i] != 0;
                    i++;
                }
            }
            m[j] = any ? policy.weightedScore(batch, weights) : new double[policy.parameterCount()];
        }
        return m;
    }

    /** {@code H(theta_k) v}: the Hessian of {@code V(nu, .)} at step {@code k}'s parameters, on step {@code k}'s rollouts. */
    public static double[] hessianVectorProduct(StochasticPolicy policy, InnerStep step, double[] nu, double entropy, double[] v) {
        double norm = Math.sqrt(dot(v, v));
        if (norm == 0) {
            return new double[v.length];
        }
        double eps = DIFFERENCE_STEP / norm;
        double[] current = policy.parameters();
        try {
            double[] plus = step.theta().clone();
            axpy(eps, v, plus);
            policy.setParameters(plus);
            double[] gPlus = surrogateGradient(policy, step.rollouts(), step.logProbabilities(), step.baseline(), nu, entropy);
            double[] minus = step.theta().clone();
            axpy(-eps, v, minus);
            policy.setParameters(minus);
            double[] gMinus = surrogateGradient(policy, step.rollouts(), step.logProbabilities(), step.baseline(), nu, entropy);
            double[] hv = new double[v.length];
            for (int p = 0; p < hv.length; p++) {
                hv[p] = (gPlus[p] - gMinus[p]) / (2 * eps);
            }
            return hv;
        } finally {
            policy.setParameters(current);
        }
    }

    /**
     * {@code grad L(theta')} at the policy's current parameters {@code theta'} for rollouts drawn at {@code theta}
     * ({@code sampledLogProbabilities}), baseline {@code b_t} indexed by time step.
     */
    static double[] surrogateGradient(StochasticPolicy policy, Rollouts rollouts, double[] sampledLogProbabilities,
                                      double[] baseline, double[] nu, double entropy) {
        List<Trajectory> batch = rollouts.trajectories();
        double[] lp = policy.logProbabilities(batch);
        double[] c = new double[lp.length];
        int i = 0;
        for (int n = 0; n < batch.size(); n++) {
            Trajectory t = batch.get(n);
            int len = t.length();
            double[] rho = new double[len];
            double logRatio = 0;
            for (int k = 0; k < len; k++) {
                logRatio += lp[i + k] - sampledLogProbabilities[i + k];
                rho[k] = Math.exp(logRatio);
            }
            double rewardSuffix = 0, baselineSuffix = 0, shiftedBaselineSuffix = 0;
            for (int k = len - 1; k >= 0; k--) {
                double r = dot(nu, t.features()[k]) - entropy * lp[i + k];
                rewardSuffix += rho[k] * r;
                baselineSuffix += baseline[k] * rho[k];
                double cBaseline = baselineSuffix - shiftedBaselineSuffix;
                c[i + k] = rollouts.weights()[n] * (rewardSuffix - entropy * rho[k] - cBaseline);
                shiftedBaselineSuffix += baseline[k] * (k > 0 ? rho[k - 1] : 1);
            }
            i += len;
        }
        return policy.weightedScore(batch, c);
    }

    /** {@code b_t}: the weighted mean soft reward-to-go at step {@code t} over the trajectories still running. */
    static double[] softBaseline(Rollouts rollouts, double[] logProbabilities, double[] nu, double entropy) {
        List<Trajectory> batch = rollouts.trajectories();
        int maxLength = 0;
        for (Trajectory t : batch) {
            maxLength = Math.max(maxLength, t.length());
        }
        double[] sum = new double[maxLength], alive = new double[maxLength];
        int i = 0;
        for (int n = 0; n < batch.size(); n++) {
            Trajectory t = batch.get(n);
            double w = rollouts.weights()[n], toGo = 0;
            for (int k = t.length() - 1; k >= 0; k--) {
                toGo += dot(nu, t.features()[k]) - entropy * logProbabilities[i + k];
                sum[k] += w * toGo;
                alive[k] += w;
            }
            i += t.length();
        }
        for (int k = 0; k < maxLength; k++) {
            sum[k] = alive[k] > 0 ? sum[k] / alive[k] : 0;
        }
        return sum;
    }

    private static int featureDimension(List<Trajectory> batch) {
        for (Trajectory t : batch) {
            if (t.length() > 0) {
                return t.features()[0].length;
            }
        }
        return 0;
    }

    static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a * x[i];
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
