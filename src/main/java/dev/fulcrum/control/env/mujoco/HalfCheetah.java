package dev.fulcrum.control.env.mujoco;

import dev.fulcrum.control.env.EnvSpec;

/**
 * Gymnasium's HalfCheetah-v4 recipe on Fulcrum's own planar cheetah ({@code halfcheetah.xml}): run forward.
 * <pre>
 *   reward = xdot - 0.1 |a|^2,  a in [-1, 1]^6;  never terminates; truncated after 1000 steps
 *   observation (17) = [rootz, rooty, 6 joint angles, 9 velocities];  frame skip 5 at dt 0.01 (RK4): 0.05 s per step
 *   reset: qpos0 + U(-0.1, 0.1), qvel 0.1 N(0, 1)
 * </pre>
 */
public final class HalfCheetah extends MujocoEnv {
    public static final String ID = "halfcheetah";
    /**
     * Mean return of the uniform-random policy, measured with {@code Collector.evaluate} over 1,000 episodes from
     * {@code new Rng(0)}: -281.4 (standard error 1.9; per-episode sd 61). {@code MujocoEnvReferenceScoresTest}
     * re-measures it.
     */
    static final double RANDOM_SCORE = -281.0;
    /**
     * Fulcrum's SAC expert on this model: the mean return of SAC's final policy after 20,000 environment steps (2x128
     * networks, 2,000 random steps first, seed 0; {@code fulcrum control make-datasets --env halfcheetah --sac-steps 20000
     * ...}, docs/results/mujoco-envs.md), evaluated deterministically over 20 episodes: 251.5 (sd 29.7). A reduced CPU
     * budget: far below a converged cheetah (D4RL's reference on its own model is 12135.0).
     */
    static final double EXPERT_SCORE = 251.5;

    private static final EnvSpec SPEC = new EnvSpec(ID, 17, 6, -1f, 1f, MAX_EPISODE_STEPS, RANDOM_SCORE, EXPERT_SCORE, false);
    private static final Recipe RECIPE = new Recipe("halfcheetah.xml", 5, 0.1, 0.0, 0.1, true, Double.POSITIVE_INFINITY);

    public HalfCheetah() {
        super(SPEC, RECIPE);
    }

    @Override
    protected boolean isHealthy() {
        return true;
    }
}
