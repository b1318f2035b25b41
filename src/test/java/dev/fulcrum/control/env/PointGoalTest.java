package dev.fulcrum.control.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.policy.PointGoalExpert;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import org.junit.jupiter.api.Test;

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
    void truncatedWithoutSuccess() {
        Env env = new PointGoal();
        env.reset(new Rng(5));
        Env.Step s = null;
        for (int i = 0; i < 200; i++) {
            s = env.step(new float[] {0f, 0f});
        }
        assertTrue(s.truncated() && !s.terminated());
    }
}
