package dev.fulcrum.control.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Mlp;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.rng.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FamO2O's balance model {@code pi_b(beta | s)} (Wang et al., NeurIPS 2023): a tanh-squashed Gaussian on one
 * dimension, {@code z = tanh(mu(s) + sigma eps)}, mapped affinely onto the coefficient range,
 * {@code beta = lo + (z + 1) (hi - lo) / 2}. As in the authors' code (jax_iql/family_learner.py,
 * {@code NormalTanhPolicy(action_dim=1, state_dependent_std=False, tanh_squash_distribution=True)}), the mean comes from an
 * MLP of the state, the log standard deviation is one state-independent parameter (initially 0) clamped to
 * [{@value #LOG_STD_MIN}, {@value #LOG_STD_MAX}], and the log-density is that of {@code z} in (-1, 1):
 * <pre>
 *   log pi_b(z|s) = log N(u; mu, sigma^2) - log(1 - tanh(u)^2),   u = mu + sigma eps
 * </pre>
 * The affine map's Jacobian {@code log((hi - lo) / 2)} is a constant; the code leaves it out of the log-density (and so of
 * the entropy that the temperature is tuned against) and so does {@link #sample}; {@link #logDensityOfCoefficient} adds it
 * for the density of {@code beta} itself. The deterministic choice (acting and evaluation) is {@code lo + (tanh(mu(s)) +
 * 1)(hi - lo)/2}, as the code's {@code sample_actions(deterministic=True)}.
 */
public final class BalanceModel implements Module {
    public static final double LOG_STD_MIN = -10.0;
    public static final double LOG_STD_MAX = 2.0;

    /** A reparameterised draw: coefficients {@code beta} [B] in (lo, hi) and {@code log pi_b(z|s)} [B]. */
    public record Sample(NDArray coefficient, NDArray logProb) {
    }

    private final Mlp net;
    private final NDArray logStd;
    private final double lo, hi;

    public BalanceModel(NDManager manager, int observationDim, int[] hidden, double lo, double hi, DataType dtype, Rng rng) {
        if (!(lo < hi)) {
            throw new IllegalArgumentException("famo2o coefficient range must have lo < hi, got [" + lo + ", " + hi + "]");
        }
        this.net = new Mlp(manager, observationDim, hidden, 1, dtype, rng);
        this.logStd = manager.zeros(new ai.djl.ndarray.types.Shape(1), dtype);
        logStd.setRequiresGradient(true);
        this.lo = lo;
        this.hi = hi;
    }

    /** {@code lo + (z + 1) (hi - lo) / 2}: the affine map from (-1, 1) onto the coefficient range. */
    public static NDArray toCoefficient(NDArray z, double lo, double hi) {
        return z.add(Scalars.of(z, 1)).mul(Scalars.of(z, (hi - lo) / 2)).add(Scalars.of(z, lo));
    }

    /** The mean of the pre-squash Gaussian, shape [B]. */
    public NDArray mu(NDArray observations) {
        return net.forward(observations).squeeze(1);
    }

    /** The deterministic coefficient {@code lo + (tanh(mu(s)) + 1)(hi - lo)/2}, shape [B]. */
    public NDArray mode(NDArray observations) {
        return toCoefficient(mu(observations).tanh(), lo, hi);
    }

    /** A reparameterised draw for standard-normal noise {@code eps} [B, 1]; differentiable in the parameters. */
    public Sample sample(NDArray observations, NDArray eps) {
        return sample(net.forward(observations), logStd, eps, lo, hi);
    }

    /**
     * The draw for a given pre-squash mean [B, 1], state-independent (unclamped) log std [1] and noise [B, 1]; exposed
     * for reference checks.
     */
    public static Sample sample(NDArray mean, NDArray logStd, NDArray eps, double lo, double hi) {
        NDArray rawLogStd = logStd.clip(LOG_STD_MIN, LOG_STD_MAX).broadcast(mean.getShape());
        TanhGaussianActor.Sample z = TanhGaussianActor.sample(mean, rawLogStd, eps);
        return new Sample(toCoefficient(z.action().squeeze(1), lo, hi), z.logProb());
    }

    /** {@code log pi_b(beta|s) = log pi_b(z|s) - log((hi - lo) / 2)}: the density of the coefficient itself. */
    public NDArray logDensityOfCoefficient(Sample s) {
        return s.logProb().sub(Scalars.of(s.logProb(), Math.log((hi - lo) / 2)));
    }

    public double lo() {
        return lo;
    }

    public double hi() {
        return hi;
    }

    @Override
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        net.parameters().forEach((k, v) -> p.put("net." + k, v));
        p.put("log_std", logStd);
        return p;
    }
}
