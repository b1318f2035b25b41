package dev.fulcrum.control.policy;

import dev.fulcrum.control.env.PointGoal;
import dev.fulcrum.core.rng.Rng;

/**
 * A scripted waypoint controller for {@link PointGoal}: left of the wall it heads for a point below the wall's end,
 * then through the gap, then to the goal, each leg with a PD law {@code a = clip(k_p (target - p) - k_d v)}.
 */
public final class PointGoalExpert implements Policy {
    @Override
    public float[] act(float[] obs, Rng rng) {
        double x = obs[0], y = obs[1], vx = obs[2], vy = obs[3];
        double tx, ty;
        if (x < PointGoal.WALL_X1 + 0.1 && y > PointGoal.WALL_Y0 - 0.15) {
            tx = x < PointGoal.WALL_X0 - 0.1 ? -0.2 : 0.35; // first get below the wall's end
            ty = -0.8;
        } else if (x < PointGoal.WALL_X1 + 0.1) {
            tx = 0.35; // through the gap
            ty = -0.8;
        } else {
            tx = PointGoal.GOAL_X;
            ty = PointGoal.GOAL_Y;
        }
        return new float[] {(float) clip(3 * (tx - x) - 1.0 * vx), (float) clip(3 * (ty - y) - 1.0 * vy)};
    }

    private static double clip(double v) {
        return Math.max(-1, Math.min(1, v));
    }

    @Override
    public String toString() {
        return "PointGoalExpert";
    }
}
