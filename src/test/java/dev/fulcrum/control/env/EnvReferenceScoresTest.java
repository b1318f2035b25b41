package dev.fulcrum.control.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.policy.PendulumExpert;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.control.policy.PointGoalExpert;
import dev.fulcrum.control.policy.UniformRandomPolicy;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Re-measures the constants behind normalised scores on fresh seeds. Tolerances are about three standard errors of the
 * re-measurement (per-episode sd: Pendulum random 288, expert 92; PointGoal random 0.15, expert 0).
 */
class EnvReferenceScoresTest {
    @Test
    void pendulumReferences() {
        Env env = EnvRegistry.make(Pendulum.ID);
        assertEquals(env.spec().randomScore(), mean(env, new UniformRandomPolicy(env.spec()), 300, 11), 50, "random return");
        assertEquals(env.spec().expertScore(), mean(env, new PendulumExpert(), 300, 12), 16, "expert return");
    }

    @Test
    void pointGoalReferences() {
        Env env = EnvRegistry.make(PointGoal.ID);
        assertEquals(env.spec().randomScore(), mean(env, new UniformRandomPolicy(env.spec()), 500, 21), 0.02,
                "random success rate");
        assertEquals(env.spec().expertScore(), mean(env, new PointGoalExpert(), 300, 22), 0.0, "expert success rate");
    }

    @Test
    void registryMakesKnownIdsAndNamesUnknownOnes() {
        assertEquals(List.of(Pendulum.ID, PointGoal.ID), EnvRegistry.ids().subList(0, 2));
        for (String id : List.of(Pendulum.ID, PointGoal.ID)) { // the MuJoCo tasks: MujocoAvailabilityTest
            assertEquals(id, EnvRegistry.make(id).spec().id());
        }
        assertTrue(EnvRegistry.make(PointGoal.ID).spec().sparseReward() && !EnvRegistry.make(Pendulum.ID).spec().sparseReward());
        String msg = assertThrows(IllegalArgumentException.class, () -> EnvRegistry.make("cartpole")).getMessage();
        assertTrue(msg.contains("cartpole") && msg.contains("pendulum") && msg.contains("point-goal"), msg);
    }

    private static double mean(Env env, Policy policy, int episodes, long seed) {
        return Stats.mean(Collector.evaluate(env, policy, episodes, new Rng(seed)));
    }
}
