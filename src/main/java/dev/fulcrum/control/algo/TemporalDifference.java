package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import dev.fulcrum.core.nn.Scalars;

/** The Bellman pieces shared by the critics of every algorithm. */
public final class TemporalDifference {
    private TemporalDifference() {
    }

    /** The one-step target {@code y = r + gamma (1 - d) V'}, without gradient; {@code d} is 1 at true terminals only. */
    public static NDArray target(NDArray rewards, NDArray dones, NDArray nextValue, double discount) {
        NDArray notDone = Scalars.of(nextValue, 1).sub(dones);
        return rewards.add(notDone.mul(nextValue).mul(Scalars.of(nextValue, discount))).stopGradient();
    }

    /** Twin-critic regression {@code mean((Q1 - y)^2) + mean((Q2 - y)^2)}. */
    public static NDArray twinLoss(NDArray q1, NDArray q2, NDArray target) {
        return q1.sub(target).square().mean().add(q2.sub(target).square().mean());
    }
}
