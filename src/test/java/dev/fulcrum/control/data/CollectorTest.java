package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.PointGoal;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.core.rng.Rng;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Row counts, episode-boundary flags, next observations, provenance and determinism of collected datasets. */
class CollectorTest {
    @Test
    void flagsAndNextObservationsAreConsistent() {
        OfflineDataset d = Collector.collect(EnvRegistry.make("point-goal"), BehaviourPolicies.forEnv("point-goal", "expert"),
                1000, new Rng(1), Map.of("quality", "expert"));
        assertEquals(1000, d.size());
        int s = d.observationDim(), terminals = 0;
        for (int i = 0; i < d.size(); i++) {
            float[] next = row(d.nextObservations(), i, s);
            assertFalse(d.terminals()[i] && d.timeouts()[i], "row " + i + " is both terminal and timeout");
            if (i + 1 < d.size() && !d.terminals()[i] && !d.timeouts()[i]) {
                assertArrayEquals(row(d.observations(), i + 1, s), next, "row " + i + ": next_obs[i] == obs[i+1] within an episode");
            }
            if (d.terminals()[i]) {
                terminals++;
                assertEquals(1f, d.rewards()[i], "goal-reaching rows carry the sparse reward");
                assertTrue(Math.hypot(next[0] - PointGoal.GOAL_X, next[1] - PointGoal.GOAL_Y) <= PointGoal.GOAL_RADIUS + 1e-6);
            } else {
                assertEquals(0f, d.rewards()[i], "row " + i);
            }
        }
        assertTrue(terminals > 5, "the expert reaches the goal repeatedly");
        assertTrue(d.timeouts()[d.size() - 1] || d.terminals()[d.size() - 1], "the last row closes its episode");
        assertEquals(d.episodeCount(), Integer.parseInt(d.metadata().get("episodes")));
    }

    @Test
    void timeLimitsAndTheBudgetCutBecomeTimeoutsNotTerminals() {
        OfflineDataset d = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "random"), 450,
                new Rng(2), Map.of());
        for (int i = 0; i < d.size(); i++) {
            assertEquals(i == 199 || i == 399 || i == 449, d.timeouts()[i], "row " + i);
            assertFalse(d.terminals()[i]);
        }
        assertEquals(3, d.episodeCount());
        assertEquals("3", d.metadata().get("episodes"));
        assertEquals("2", d.metadata().get("complete_episodes"));
    }

    @Test
    void provenanceMetadata() {
        Policy policy = BehaviourPolicies.forEnv("pendulum", "medium");
        OfflineDataset d = Collector.collect(EnvRegistry.make("pendulum"), policy, 400, new Rng(77),
                Map.of("quality", "medium", "command", "test"));
        assertEquals(Map.of("quality", "medium", "command", "test", "policy", policy.toString(), "generator", Collector.GENERATOR,
                "env", "pendulum", "seed", "77", "transitions", "400", "episodes", "2", "complete_episodes", "2"), d.metadata());
        OfflineDataset named = Collector.collect(EnvRegistry.make("pendulum"), policy, 10, new Rng(77), Map.of("policy", "mine"));
        assertEquals("mine", named.metadata().get("policy"), "a caller's policy description is kept");
    }

    @Test
    void sameSeedSameDataset() {
        OfflineDataset a = collectMedium(3), b = collectMedium(3), c = collectMedium(4);
        assertArrayEquals(a.observations(), b.observations());
        assertArrayEquals(a.actions(), b.actions());
        assertArrayEquals(a.rewards(), b.rewards());
        assertArrayEquals(a.nextObservations(), b.nextObservations());
        assertArrayEquals(a.terminals(), b.terminals());
        assertArrayEquals(a.timeouts(), b.timeouts());
        assertEquals(a.metadata(), b.metadata());
        assertFalse(Arrays.equals(a.actions(), c.actions()), "another seed gives other data");
    }

    private static OfflineDataset collectMedium(long seed) {
        return Collector.collect(EnvRegistry.make("point-goal"), BehaviourPolicies.forEnv("point-goal", "medium"), 700,
                new Rng(seed), Map.of());
    }

    @Test
    void actionsAreStoredAsTheEnvironmentAppliedThem() {
        Policy tooStrong = (o, rng) -> new float[] {(float) rng.uniform(-10, 10)};
        OfflineDataset d = Collector.collect(EnvRegistry.make("pendulum"), tooStrong, 300, new Rng(5), Map.of());
        for (float a : d.actions()) {
            assertTrue(a >= -2f && a <= 2f, "action " + a);
        }
    }

    @Test
    void evaluateMatchesTheReturnsOfACollectedDataset() {
        Env env = EnvRegistry.make("pendulum");
        Policy policy = BehaviourPolicies.forEnv("pendulum", "medium");
        double[] returns = Collector.evaluate(env, policy, 3, new Rng(8));
        double[] collected = Collector.collect(env, policy, 600, new Rng(8), Map.of()).episodeReturns();
        assertEquals(3, returns.length);
        assertArrayEquals(returns, collected, 1e-3, "same draws, same episodes (rewards are stored as float)");
    }

    @Test
    void rejectsBadArguments() {
        Env env = EnvRegistry.make("point-goal");
        Policy policy = BehaviourPolicies.forEnv("point-goal", "random");
        assertThrows(IllegalArgumentException.class, () -> Collector.collect(env, policy, 0, new Rng(0), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> Collector.collect(env, (o, rng) -> new float[1], 10, new Rng(0), Map.of()));
    }

    private static float[] row(float[] table, int i, int width) {
        return Arrays.copyOfRange(table, i * width, (i + 1) * width);
    }
}
