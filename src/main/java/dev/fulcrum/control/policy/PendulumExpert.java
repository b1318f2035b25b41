package dev.fulcrum.control.policy;

import dev.fulcrum.core.rng.Rng;

/**
 * A scripted swing-up controller for {@link dev.fulcrum.control.env.Pendulum}: energy pumping far from upright, a PD
 * stabiliser near it. With {@code thetaDDot = 15 sin(theta) + 3u}, the energy {@code E = thdot^2/2 + 15 (cos(theta) - 1)}
 * (0 upright at rest) changes as {@code dE/dt = 3 u thdot}, so full torque along the motion raises it; near the top,
 * {@code u = -(10 theta + 2 thdot)} makes the linearised closed loop {@code thetaDDot = -15 theta - 6 thdot}, stable.
 */
public final class PendulumExpert implements Policy {
    @Override
    public float[] act(float[] obs, Rng rng) {
        double cos = obs[0], sin = obs[1], thetaDot = obs[2];
        double theta = Math.atan2(sin, cos);
        double u;
        if (cos > 0.85) {
            u = -(10 * theta + 2 * thetaDot);
        } else {
            double energy = 0.5 * thetaDot * thetaDot + 15 * (cos - 1);
            u = energy < 0 ? 2 * (thetaDot >= 0 ? 1 : -1) : -0.5 * thetaDot;
        }
        return new float[] {(float) Math.max(-2, Math.min(2, u))};
    }

    @Override
    public String toString() {
        return "PendulumExpert";
    }
}
