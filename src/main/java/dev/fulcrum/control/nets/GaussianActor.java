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
 * The Gaussian policy of IQL's reference implementation: mean {@code tanh(MLP(s))} in the normalised action box
 * [-1, 1], and a state-independent log standard deviation clamped to [-5, 2]. Evaluation acts with the mean.
 */
public final class GaussianActor implements Module {
    public static final double LOG_STD_MIN = -5.0;
    public static final double LOG_STD_MAX = 2.0;
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private final Mlp net;
    private final NDArray logStd;

    public GaussianActor(NDManager manager, int observationDim, int actionDim, int[] hidden, DataType dtype, Rng rng) {
        this.net = new Mlp(manager, observationDim, hidden, actionDim, dtype, rng);
        this.logStd = manager.zeros(new ai.djl.ndarray.types.Shape(actionDim), dtype);
        logStd.setRequiresGradient(true);
    }

    /** The number of action dimensions. */
    public int actionDim() {
        return Math.toIntExact(logStd.getShape().get(0));
    }

    /** The mean action {@code tanh(MLP(s))}, shape [B, A]. */
    public NDArray mean(NDArray observations) {
        return net.forward(observations).tanh();
    }

    /**
     * {@code log N(a; mu, sigma^2)} summed over action dimensions, shape [B]:
     * {@code sum_j -(a_j - mu_j)^2 / (2 sigma_j^2) - log sigma_j - log(2 pi)/2}.
     */
    public NDArray logProb(NDArray observations, NDArray actions) {
        return logProb(mean(observations), logStd, actions);
    }

    /**
     * A stochastic action {@code clip(mu(s) + sigma eps, -1, 1)} for standard-normal noise {@code eps} [B, A], as the
     * reference code (CORL) samples this actor to explore and to estimate {@code V(s) = Q(s, a ~ pi)}; used without
     * gradient.
     */
    public NDArray sample(NDArray observations, NDArray eps) {
        NDArray std = logStd.clip(LOG_STD_MIN, LOG_STD_MAX).exp();
        return mean(observations).add(eps.mul(std)).clip(-1, 1);
    }

    /** The standard deviation {@code exp(clamp(log_std, -5, 2))}, shape [A]; differentiable in the log std. */
    public NDArray std() {
        return logStd.clip(LOG_STD_MIN, LOG_STD_MAX).exp();
    }

    /** The same log-density for a given mean and (unclamped) log std; exposed for reference checks. */
    public static NDArray logProb(NDArray mean, NDArray logStd, NDArray actions) {
        NDArray clamped = logStd.clip(LOG_STD_MIN, LOG_STD_MAX);
        NDArray z = actions.sub(mean).mul(clamped.neg().exp());
        return z.square().mul(Scalars.of(z, -0.5)).sub(clamped).sum(new int[] {1})
                .sub(Scalars.of(z, HALF_LOG_TWO_PI * z.getShape().get(1)));
    }

    @Override
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        net.parameters().forEach((k, v) -> p.put("net." + k, v));
        p.put("log_std", logStd);
        return p;
    }
}
