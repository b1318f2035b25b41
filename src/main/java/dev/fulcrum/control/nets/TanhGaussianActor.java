package dev.fulcrum.control.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Mlp;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;

/**
 * SAC's policy (Haarnoja et al., "Soft Actor-Critic Algorithms and Applications", 2018): a Gaussian over the
 * unsquashed action {@code u} whose mean and log standard deviation both come from the state, squashed into the box
 * [-1, 1] by tanh. A draw is reparameterised, {@code u = mu(s) + sigma(s) eps} with {@code eps ~ N(0, I)} supplied by the
 * caller (from the run's {@link Rng}, never the engine's generator), and its log-density carries the change of variables
 * (the paper's appendix C, "Enforcing action bounds"):
 * <pre>
 *   a = tanh(u),   log pi(a|s) = sum_j [ log N(u_j; mu_j, sigma_j^2) - log(1 - tanh(u_j)^2) ]
 *   log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u))        (the stable form torch's TanhTransform uses)
 * </pre>
 * {@code log sigma} is clamped to [{@value #LOG_STD_MIN}, {@value #LOG_STD_MAX}] as in the authors' softlearning code.
 * Evaluation acts with {@code tanh(mu(s))}.
 */
public final class TanhGaussianActor implements Module {
    public static final double LOG_STD_MIN = -20.0;
    public static final double LOG_STD_MAX = 2.0;
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private static final double LOG_TWO = Math.log(2);

    /** A reparameterised draw: actions [B, A] in (-1, 1) and their log-densities [B]. */
    public record Sample(NDArray action, NDArray logProb) {
    }

    private final Mlp net;

    /** The network maps a state to {@code 2 A} numbers: the mean of {@code u}, then its (unclamped) log std. */
    public TanhGaussianActor(NDManager manager, int observationDim, int actionDim, int[] hidden, DataType dtype, Rng rng) {
        this.net = new Mlp(manager, observationDim, hidden, 2 * actionDim, dtype, rng);
    }

    /** The deterministic action {@code tanh(mu(s))}, shape [B, A]. */
    public NDArray mean(NDArray observations) {
        return net.forward(observations).split(2, 1).head().tanh();
    }

    /** A draw for standard-normal noise {@code eps} [B, A]; differentiable in the parameters (the reparameterisation). */
    public Sample sample(NDArray observations, NDArray eps) {
        NDList meanAndLogStd = net.forward(observations).split(2, 1);
        return sample(meanAndLogStd.get(0), meanAndLogStd.get(1), eps);
    }

    /** The squashed draw and its log-density for a given mean and unclamped log std; exposed for reference checks. */
    public static Sample sample(NDArray mean, NDArray rawLogStd, NDArray eps) {
        NDArray logStd = rawLogStd.clip(LOG_STD_MIN, LOG_STD_MAX);
        NDArray u = mean.add(logStd.exp().mul(eps));
        NDArray z = u.sub(mean).mul(logStd.neg().exp()); // equals eps; written as (u - mu) / sigma, the density's argument
        NDArray gaussian = z.square().mul(Scalars.of(z, -0.5)).sub(logStd).sum(new int[] {1})
                .sub(Scalars.of(z, HALF_LOG_TWO_PI * z.getShape().get(1)));
        NDArray logJacobian = Scalars.of(u, LOG_TWO).sub(u).sub(u.mul(Scalars.of(u, -2)).getNDArrayInternal().softPlus())
                .mul(Scalars.of(u, 2)).sum(new int[] {1});
        return new Sample(u.tanh(), gaussian.sub(logJacobian));
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Module.prefixed("net", net);
    }
}
