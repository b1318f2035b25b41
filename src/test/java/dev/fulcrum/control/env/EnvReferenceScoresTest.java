package dev.fulcrum.control.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.control.policy.PendulumExpert;
import dev.fulcrum.control.policy.PointGoalExpert;
import dev.fulcrum.control.policy.UniformRandomPolicy;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import org.junit.jupiter.api.Test;

/** Re-measures the constants behind normalised scores and the behaviour tiers' score bands (fresh seeds). */
class EnvReferenceScoresTest {
    @Test
    void pendulumReferences() {
        Env env = new Pendulum();
        double random = Stats.mean(Collector.evaluate(env, new UniformRandomPolicy(env.spec()), 300, new Rng(11)));
        double expert = Stats.mean(Collector.evaluate(env, new PendulumExpert(), 300, new Rng(12)));
        assertEquals(env.spec().randomScore(), random, 40, "random return");
        assertEquals(env.spec().expertScore(), expert, 15, "expert return");
        double medium = env.spec().normalisedScore(Stats.mean(Collector.evaluate(env, BehaviourPolicies.forEnv("pendulum", "medium"),
                300, new Rng(13))));
        assertTrue(medium > 35 && medium < 65, "medium tier normalised score " + medium);
    }

    @Test
    void pointGoalReferences() {
        Env env = new PointGoal();
        double random = Stats.mean(Collector.evaluate(env, new UniformRandomPolicy(env.spec()), 500, new Rng(21)));
        double expert = Stats.mean(Collector.evaluate(env, new PointGoalExpert(), 300, new Rng(22)));
        assertEquals(env.spec().randomScore(), random, 0.03, "random success rate");
        assertEquals(env.spec().expertScore(), expert, 0.02, "expert success rate");
        double medium = env.spec().normalisedScore(Stats.mean(Collector.evaluate(env, BehaviourPolicies.forEnv("point-goal", "medium"),
                500, new Rng(23))));
        assertTrue(medium > 25 && medium < 55, "medium tier normalised score " + medium);
    }

    @Test
    void registryNamesUnknownIds() {
        String msg = assertThrows(IllegalArgumentException.class, () -> EnvRegistry.make("hopper")).getMessage();
        assertTrue(msg.contains("hopper") && msg.contains("pendulum") && msg.contains("point-goal"), msg);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BehaviourPolicies.forEnv("pendulum", "great"))
                .getMessage().contains("random, medium, expert"));
    }
}
