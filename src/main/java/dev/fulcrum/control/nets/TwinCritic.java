package dev.fulcrum.control.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;

/**
 * Two state-action critics {@code Q1, Q2} with Polyak-averaged target copies {@code Q'1, Q'2} (Fujimoto et al.'s clipped
 * double Q, shared by IQL, TD3+BC, AWAC, SAC, A2PR and FamO2O):
 * <pre>
 *   min(s, a)       = min(Q1(s, a), Q2(s, a))
 *   targetMin(s, a) = min(Q'1(s, a), Q'2(s, a))                  (no gradient)
 *   softUpdate(tau):  Q'i <- (1 - tau) Q'i + tau Qi
 * </pre>
 * {@link #parameters()} lists only the trained critics ({@code q1.*}, {@code q2.*}: the optimiser's names);
 * {@link #checkpointTensors()} adds the targets as {@code q1_target.*} and {@code q2_target.*}, the names every
 * algorithm's checkpoints have always used.
 *
 * <p>Only {@code Q1} and {@code Q2} draw from the initialisation stream; the targets start as copies, so their scratch
 * initialisation draws from a separate stream ({@code init.split("twin-critic-targets")}) and the caller's stream sees
 * exactly two networks' draws. (Before this class each algorithm created its targets last from its own stream and then
 * overwrote them, so every weight kept its value.)
 */
public final class TwinCritic implements Module {
    private final QNetwork q1, q2, q1Target, q2Target;

    /** Creates {@code Q1} then {@code Q2} from {@code init}, and targets equal to them with gradients off. */
    public TwinCritic(NDManager manager, int observationDim, int actionDim, int[] hidden, DataType dtype, Rng init) {
        q1 = new QNetwork(manager, observationDim, actionDim, hidden, dtype, init);
        q2 = new QNetwork(manager, observationDim, actionDim, hidden, dtype, init);
        Rng scratch = init.split("twin-critic-targets");
        q1Target = new QNetwork(manager, observationDim, actionDim, hidden, dtype, scratch);
        q2Target = new QNetwork(manager, observationDim, actionDim, hidden, dtype, scratch);
        q1Target.copyFrom(q1);
        q2Target.copyFrom(q2);
        q1Target.requireGradients(false);
        q2Target.requireGradients(false);
    }

    public QNetwork q1() {
        return q1;
    }

    public QNetwork q2() {
        return q2;
    }

    public QNetwork q1Target() {
        return q1Target;
    }

    public QNetwork q2Target() {
        return q2Target;
    }

    /** {@code min(Q1, Q2)(s, a)}, shape [B]; gradients flow into both critics. */
    public NDArray min(NDArray observations, NDArray actions) {
        return NDArrays.minimum(q1.q(observations, actions), q2.q(observations, actions));
    }

    /** {@code min(Q'1, Q'2)(s, a)}, shape [B], without gradient. */
    public NDArray targetMin(NDArray observations, NDArray actions) {
        return NDArrays.minimum(q1Target.q(observations, actions), q2Target.q(observations, actions)).stopGradient();
    }

    /** Polyak averaging of both targets toward their critics. */
    public void softUpdate(double tau) {
        q1Target.softUpdateFrom(q1, tau);
        q2Target.softUpdateFrom(q2, tau);
    }

    /** The trained critics' parameters, {@code q1.*} then {@code q2.*}. */
    @Override
    public Map<String, NDArray> parameters() {
        return Module.prefixed("q1", q1, "q2", q2);
    }

    /** Critics and targets under their checkpoint names: {@code q1.*, q2.*, q1_target.*, q2_target.*}. */
    public Map<String, NDArray> checkpointTensors() {
        return Module.prefixed("q1", q1, "q2", q2, "q1_target", q1Target, "q2_target", q2Target);
    }
}
