package dev.fulcrum.control.env;

import dev.fulcrum.core.rng.Rng;

/**
 * A sparse-reward navigation task in the manner of D4RL's mazes: a point mass in the square [-1, 1]^2 must reach a goal
 * disc (centre (0.7, 0.7), radius 0.1) from a start near (-0.7, -0.7). A wall, the rectangle [-0.05, 0.05] x [-0.5, 1],
 * blocks the straight line; the way round is the gap below it. A controller that heads straight for the goal slides up
 * the wall into the top corner and stays there; one that goes through the gap succeeds.
 * <pre>
 *   v' = clip(0.9 v + 2 a dt, -1, 1),  p' = p + v' dt,  dt = 0.1,  a in [-1, 1]^2
 *   reward = 1 on the step that enters the goal disc, which terminates the episode; 0 otherwise
 * </pre>
 * Walls and the arena edge stop motion into them (the normal velocity is zeroed). Observation [x, y, vx, vy]; episodes
 * are truncated after 200 steps.
 */
public final class PointGoal implements Env {
    public static final String ID = "point-goal";
    static final double DT = 0.1, DAMPING = 0.9, ACCEL = 2.0, MAX_SPEED = 1.0;
    public static final double GOAL_X = 0.7, GOAL_Y = 0.7, GOAL_RADIUS = 0.1;
    public static final double WALL_X0 = -0.05, WALL_X1 = 0.05, WALL_Y0 = -0.5, WALL_Y1 = 1.0;
    static final int MAX_STEPS = 200;
    /**
     * Mean return (= success rate) of the uniform-random policy: {@code Collector.evaluate} over 20,000 episodes from
     * {@code new Rng(0)} gave 0.0238 (standard error 0.0011). {@code EnvReferenceScoresTest} re-measures both constants.
     */
    static final double RANDOM_SCORE = 0.024;
    /**
     * Mean return of the noise-free {@link dev.fulcrum.control.policy.PointGoalExpert}: it reached the goal in all of
     * 20,000 episodes from {@code new Rng(1)}.
     */
    static final double EXPERT_SCORE = 1.0;

    private static final EnvSpec SPEC = new EnvSpec(ID, 4, 2, -1f, 1f, MAX_STEPS, RANDOM_SCORE, EXPERT_SCORE, true);

    private double x, y, vx, vy;
    private int steps = -1;
    private boolean done;

    @Override
    public EnvSpec spec() {
        return SPEC;
    }

    @Override
    public float[] reset(Rng rng) {
        x = -0.7 + rng.uniform(-0.05, 0.05);
        y = -0.7 + rng.uniform(-0.05, 0.05);
        vx = 0;
        vy = 0;
        steps = 0;
        done = false;
        return observation();
    }

    @Override
    public Step step(float[] action) {
        if (steps < 0 || done) {
            throw new IllegalStateException("step() called on a finished episode; call reset() first");
        }
        double ax = Math.max(-1, Math.min(1, action[0]));
        double ay = Math.max(-1, Math.min(1, action[1]));
        vx = clip(DAMPING * vx + ACCEL * ax * DT, MAX_SPEED);
        vy = clip(DAMPING * vy + ACCEL * ay * DT, MAX_SPEED);
        double nx = x + vx * DT, ny = y + vy * DT;
        if (Math.abs(nx) > 1) { // the arena's edge
            nx = Math.signum(nx);
            vx = 0;
        }
        if (Math.abs(ny) > 1) {
            ny = Math.signum(ny);
            vy = 0;
        }
        if (entersWall(nx, ny)) { // stop at the face it was moved through
            if (x <= WALL_X0) {
                nx = WALL_X0;
                vx = 0;
            } else if (x >= WALL_X1) {
                nx = WALL_X1;
                vx = 0;
            } else {
                ny = WALL_Y0;
                vy = 0;
            }
        }
        x = nx;
        y = ny;
        steps++;
        boolean reached = Math.hypot(x - GOAL_X, y - GOAL_Y) <= GOAL_RADIUS;
        done = reached || steps >= MAX_STEPS;
        return new Step(observation(), reached ? 1.0 : 0.0, reached, !reached && steps >= MAX_STEPS);
    }

    /**
     * Whether the move from the current position to {@code (nx, ny)} ends inside the wall or jumps across it. The wall
     * reaches the arena's top edge, so it is closed there (inclusive upper bound). A step moves at most
     * {@code MAX_SPEED * DT} = the wall's thickness, so the only way across is landing exactly on the far face; that
     * counts as a collision too.
     */
    private boolean entersWall(double nx, double ny) {
        if (!(ny > WALL_Y0 && ny <= WALL_Y1)) {
            return false;
        }
        boolean inside = nx > WALL_X0 && nx < WALL_X1;
        boolean across = (x <= WALL_X0 && nx >= WALL_X1) || (x >= WALL_X1 && nx <= WALL_X0);
        return inside || across;
    }

    /** Sets the state directly and starts an episode there (tests, scripted starts). */
    public float[] setState(double x, double y, double vx, double vy) {
        this.x = x;
        this.y = y;
        this.vx = vx;
        this.vy = vy;
        steps = 0;
        done = false;
        return observation();
    }

    private float[] observation() {
        return new float[] {(float) x, (float) y, (float) vx, (float) vy};
    }

    private static double clip(double v, double limit) {
        return Math.max(-limit, Math.min(limit, v));
    }
}
