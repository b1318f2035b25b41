package dev.fulcrum.control.env.mujoco;

import dev.fulcrum.control.env.EnvSpec;

/**
 * Gymnasium's Hopper-v4 recipe on Fulcrum's own planar hopper ({@code hopper.xml}): hop forward without falling.
 * <pre>
 *   reward = xdot + 1 - 0.001 |a|^2,  a in [-1, 1]^3;  truncated after 1000 steps
 *   terminated unless  z > 0.7  and  |angle| < 0.2  and  every entry of [qpos[2:], qvel] lies in (-100, 100)
 *     (z = qpos[1], the torso's height; angle = qpos[2], its pitch)
 *   observation (11) = [z, angle, 3 joint angles, clip(6 velocities, -10, 10)];  frame skip 4 at dt 0.002 (RK4)
 *   reset: qpos0 + U(-0.005, 0.005), qvel U(-0.005, 0.005)
 * </pre>
 */
public final class Hopper extends MujocoEnv {
    public static final String ID = "hopper";
    static final double MIN_HEIGHT = 0.7, MAX_ANGLE = 0.2, STATE_LIMIT = 100.0;
    /**
     * Mean return of the uniform-random policy, measured with {@code Collector.evaluate} over 20,000 episodes from
     * {@code new Rng(0)}: 18.48 (standard error 0.12; per-episode sd 17; random episodes last 22 steps on average).
     * {@code MujocoEnvReferenceScoresTest} re-measures it.
     */
    static final double RANDOM_SCORE = 18.5;
    /**
     * Fulcrum's SAC expert on this model: the mean return of SAC's final policy after 20,000 environment steps (2x128
     * networks, 2,000 random steps first, seed 0; {@code fulcrum control make-datasets --env hopper --sac-steps 20000 ...},
     * docs/results/mujoco-envs.md), evaluated deterministically over 20 episodes: 301.3 (sd 1.6). A reduced CPU budget:
     * far below a converged hopper (D4RL's reference on its own model is 3234.3).
     */
    static final double EXPERT_SCORE = 301.3;

    private static final EnvSpec SPEC = new EnvSpec(ID, 11, 3, -1f, 1f, MAX_EPISODE_STEPS, RANDOM_SCORE, EXPERT_SCORE, false);
    private static final Recipe RECIPE = new Recipe("hopper.xml", 4, 1e-3, 1.0, 5e-3, false, 10.0);

    public Hopper() {
        super(SPEC, RECIPE);
    }

    @Override
    protected boolean isHealthy() {
        for (int i = 2; i < sim.nq(); i++) {
            if (!(Math.abs(sim.qpos(i)) < STATE_LIMIT)) {
                return false;
            }
        }
        for (int i = 0; i < sim.nv(); i++) {
            if (!(Math.abs(sim.qvel(i)) < STATE_LIMIT)) {
                return false;
            }
        }
        double z = sim.qpos(1), angle = sim.qpos(2);
        return z > MIN_HEIGHT && Math.abs(angle) < MAX_ANGLE;
    }
}
