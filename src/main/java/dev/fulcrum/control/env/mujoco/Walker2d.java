package dev.fulcrum.control.env.mujoco;

import dev.fulcrum.control.env.EnvSpec;

/**
 * Gymnasium's Walker2d-v4 recipe on Fulcrum's own planar biped ({@code walker2d.xml}): walk forward without falling.
 * <pre>
 *   reward = xdot + 1 - 0.001 |a|^2,  a in [-1, 1]^6;  truncated after 1000 steps
 *   terminated unless  0.8 < z < 2.0  and  |angle| < 1.0   (z = qpos[1], the torso's height; angle = qpos[2], its pitch)
 *   observation (17) = [z, angle, 6 joint angles, clip(9 velocities, -10, 10)];  frame skip 4 at dt 0.002 (RK4)
 *   reset: qpos0 + U(-0.005, 0.005), qvel U(-0.005, 0.005)
 * </pre>
 */
public final class Walker2d extends MujocoEnv {
    public static final String ID = "walker2d";
    static final double MIN_HEIGHT = 0.8, MAX_HEIGHT = 2.0, MAX_ANGLE = 1.0;
    /**
     * Mean return of the uniform-random policy, measured with {@code Collector.evaluate} over 20,000 episodes from
     * {@code new Rng(0)}: 3.12 (standard error 0.05; per-episode sd 6.8; random episodes last 21 steps on average).
     * {@code MujocoEnvReferenceScoresTest} re-measures it.
     */
    static final double RANDOM_SCORE = 3.1;
    /**
     * PROVISIONAL: D4RL's Walker2d expert reference (4592.3), taken over until Fulcrum's own SAC expert on this model is
     * trained and measured (docs/results/mujoco-envs.md says how it will be calibrated). Our model is not D4RL's, so
     * normalised scores against this number are only indicative.
     */
    static final double EXPERT_SCORE = 4592.3;

    private static final EnvSpec SPEC = new EnvSpec(ID, 17, 6, -1f, 1f, MAX_EPISODE_STEPS, RANDOM_SCORE, EXPERT_SCORE, false);
    private static final Recipe RECIPE = new Recipe("walker2d.xml", 4, 1e-3, 1.0, 5e-3, false, 10.0);

    public Walker2d() {
        super(SPEC, RECIPE);
    }

    @Override
    protected boolean isHealthy() {
        double z = sim.qpos(1), angle = sim.qpos(2);
        return z > MIN_HEIGHT && z < MAX_HEIGHT && Math.abs(angle) < MAX_ANGLE;
    }
}
