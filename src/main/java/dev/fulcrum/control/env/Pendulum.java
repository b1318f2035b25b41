package dev.fulcrum.control.env;

import dev.fulcrum.core.rng.Rng;

/**
 * Gymnasium's Pendulum-v1, exactly: swing a pole up and balance it. {@code theta = 0} is upright.
 * <pre>
 *   thdot' = clip(thdot + (3 g / (2 l) sin(theta) + 3 / (m l^2) u) dt, -8, 8),   theta' = theta + thdot' dt
 *   reward = -(normalize(theta)^2 + 0.1 thdot^2 + 0.001 u^2)   (on the state before the step)
 * </pre>
 * g = 10, m = l = 1, dt = 0.05, torque in [-2, 2]. Observation [cos theta, sin theta, thdot]. Never terminates; episodes
 * are truncated after 200 steps. Reset: theta ~ U(-pi, pi), thdot ~ U(-1, 1).
 */
public final class Pendulum implements Env {
    public static final String ID = "pendulum";
    static final double G = 10.0, M = 1.0, L = 1.0, DT = 0.05, MAX_SPEED = 8.0, MAX_TORQUE = 2.0;
    static final int MAX_STEPS = 200;
    /**
     * Mean return of the uniform-random policy: {@code Collector.evaluate} over 20,000 episodes from {@code new Rng(0)}
     * gave -1229.9 (standard error 2.0; per-episode sd 288). {@code EnvReferenceScoresTest} re-measures both constants.
     */
    static final double RANDOM_SCORE = -1229.0;
    /**
     * Mean return of the noise-free {@link dev.fulcrum.control.policy.PendulumExpert}: 20,000 episodes from
     * {@code new Rng(1)} gave -150.1 (standard error 0.65; per-episode sd 92), close to the best returns reported for
     * Pendulum-v1 (about -140 to -150: the random start sets how much cost the swing-up must pay).
     */
    static final double EXPERT_SCORE = -151.0;

    private static final EnvSpec SPEC = new EnvSpec(ID, 3, 1, (float) -MAX_TORQUE, (float) MAX_TORQUE, MAX_STEPS,
            RANDOM_SCORE, EXPERT_SCORE, false);

    private double theta, thetaDot;
    private int steps = -1;

    @Override
    public EnvSpec spec() {
        return SPEC;
    }

    @Override
    public float[] reset(Rng rng) {
        theta = rng.uniform(-Math.PI, Math.PI);
        thetaDot = rng.uniform(-1, 1);
        steps = 0;
        return observation();
    }

    @Override
    public Step step(float[] action) {
        if (steps < 0 || steps >= MAX_STEPS) {
            throw new IllegalStateException("step() called on a finished episode; call reset() first");
        }
        double u = Math.max(-MAX_TORQUE, Math.min(MAX_TORQUE, action[0]));
        double cost = square(angleNormalize(theta)) + 0.1 * thetaDot * thetaDot + 0.001 * u * u;
        double newThetaDot = thetaDot + (3 * G / (2 * L) * Math.sin(theta) + 3.0 / (M * L * L) * u) * DT;
        newThetaDot = Math.max(-MAX_SPEED, Math.min(MAX_SPEED, newThetaDot));
        theta = theta + newThetaDot * DT;
        thetaDot = newThetaDot;
        steps++;
        return new Step(observation(), -cost, false, steps >= MAX_STEPS);
    }

    /** Sets the state directly (tests, scripted starts). */
    public float[] setState(double theta, double thetaDot) {
        this.theta = theta;
        this.thetaDot = thetaDot;
        this.steps = 0;
        return observation();
    }

    private float[] observation() {
        return new float[] {(float) Math.cos(theta), (float) Math.sin(theta), (float) thetaDot};
    }

    static double angleNormalize(double x) {
        return ((x + Math.PI) % (2 * Math.PI) + 2 * Math.PI) % (2 * Math.PI) - Math.PI;
    }

    private static double square(double x) {
        return x * x;
    }
}
