package dev.fulcrum.control.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.policy.PointGoalExpert;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import org.junit.jupiter.api.Test;

/** PointGoal's dynamics, walls, sparse terminal reward, time limit, and that the task needs a detour. */
class PointGoalTest {
    @Test
    void greedyControllerIsTrappedExpertSucceeds() {
        Env env = new PointGoal();
        double greedy = Stats.mean(Collector.evaluate(env, (o, rng) -> new float[] {
                (float) Math.max(-1, Math.min(1, 3 * (0.7 - o[0]))), (float) Math.max(-1, Math.min(1, 3 * (0.7 - o[1])))},
                50, new Rng(1)));
        double expert = Stats.mean(Collector.evaluate(env, new PointGoalExpert(), 200, new Rng(2)));
        assertEquals(0.0, greedy, 0.0, "heading straight for the goal ends in the corner above the wall");
        assertTrue(expert >= 0.9, "expert success rate " + expert);
    }

    @Test
    void reachingTheGoalTerminatesWithRewardOne() {
        Env env = new PointGoal();
        float[] o = env.reset(new Rng(3));
        PointGoalExpert expert = new PointGoalExpert();
        Env.Step last = null;
        int steps = 0;
        while (last == null || !last.done()) {
            last = env.step(expert.act(o, null));
            o = last.observation();
            steps++;
            if (!last.done()) {
                assertEquals(0.0, last.reward(), 0.0);
            }
        }
        assertTrue(last.terminated() && !last.truncated(), "goal reached after " + steps + " steps");
        assertEquals(1.0, last.reward(), 0.0);
        assertTrue(Math.hypot(o[0] - PointGoal.GOAL_X, o[1] - PointGoal.GOAL_Y) <= PointGoal.GOAL_RADIUS);
    }

    @Test
    void wallAndArenaStopMotion() {
        Env env = new PointGoal();
        env.reset(new Rng(4));
        Env.Step s = null;
        for (int i = 0; i < 12; i++) { // climb above the wall's lower end (y > -0.5) first
            s = env.step(new float[] {0f, 1f});
        }
        assertTrue(s.observation()[1] > -0.4f);
        for (int i = 0; i < 60; i++) { // then push right at the wall from the left
            s = env.step(new float[] {1f, 0f});
        }
        assertEquals((float) PointGoal.WALL_X0, s.observation()[0], 1e-6f);
        assertEquals(0f, s.observation()[2], 0f);
        for (int i = 0; i < 60; i++) { // then down into the arena edge
            s = env.step(new float[] {-1f, -1f});
        }
        assertEquals(-1f, s.observation()[1], 1e-6f);
    }

    @Test
    void actionsAreClippedToTheBox() {
        PointGoal a = new PointGoal(), b = new PointGoal();
        a.setState(-0.5, -0.6, 0.2, -0.1);
        b.setState(-0.5, -0.6, 0.2, -0.1);
        Env.Step big = a.step(new float[] {5f, -7f});
        Env.Step unit = b.step(new float[] {1f, -1f});
        assertArrayEquals(unit.observation(), big.observation());
        assertArrayEquals(new float[] {(float) (-0.5 + 0.38 * 0.1), (float) (-0.6 - 0.29 * 0.1), 0.38f, -0.29f},
                unit.observation(), 1e-6f, "v' = 0.9 v + 2 a dt, p' = p + v' dt");
    }

    /** A full-speed step is exactly the wall's thickness; landing on the far face must not carry the point through. */
    @Test
    void fullSpeedCannotJumpTheWall() {
        PointGoal env = new PointGoal();
        env.setState(PointGoal.WALL_X0, 0.0, 1.0, 0.0);
        Env.Step s = env.step(new float[] {1f, 0f});
        assertEquals((float) PointGoal.WALL_X0, s.observation()[0], 0f);
        assertEquals(0f, s.observation()[2], 0f);
        env.setState(0.0, PointGoal.WALL_Y0 - 0.05, 0.0, 1.0); // under the wall's end, moving up into it
        s = env.step(new float[] {0f, 1f});
        assertEquals((float) PointGoal.WALL_Y0, s.observation()[1], 0f);
        assertEquals(0f, s.observation()[3], 0f);
    }

    @Test
    void resetsNearTheStartCorner() {
        Env env = new PointGoal();
        Rng rng = new Rng(6);
        for (int i = 0; i < 200; i++) {
            float[] o = env.reset(rng);
            assertTrue(Math.abs(o[0] + 0.7) <= 0.05 && Math.abs(o[1] + 0.7) <= 0.05, "start " + o[0] + ", " + o[1]);
            assertEquals(0f, o[2], 0f);
            assertEquals(0f, o[3], 0f);
        }
    }

    @Test
    void truncatedWithoutSuccess() {
        Env env = new PointGoal();
        env.reset(new Rng(5));
        Env.Step s = null;
        for (int i = 1; i <= 200; i++) {
            s = env.step(new float[] {0f, 0f});
            assertEquals(i == 200, s.truncated(), "step " + i);
        }
        assertFalse(s.terminated());
        assertEquals(0.0, s.reward(), 0.0);
        assertThrows(IllegalStateException.class, () -> env.step(new float[] {0f, 0f}));
    }

    @Test
    void reachingTheGoalOnTheLastStepIsTerminalNotTimeout() {
        PointGoal env = new PointGoal();
        env.setState(PointGoal.GOAL_X + 0.11, PointGoal.GOAL_Y, 0, 0); // just outside the disc, at rest
        for (int i = 1; i < 200; i++) {
            Env.Step idle = env.step(new float[] {0f, 0f});
            assertFalse(idle.done(), "step " + i);
        }
        Env.Step s = env.step(new float[] {-1f, 0f}); // step 200 moves 0.02 towards the centre
        assertTrue(s.terminated() && !s.truncated());
        assertEquals(1.0, s.reward(), 0.0);
    }
}
