package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.rng.Rng;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorTest {
    @Test
    void flagsAndNextObservationsAreConsistent() {
        OfflineDataset d = Collector.collect(EnvRegistry.make("point-goal"), BehaviourPolicies.forEnv("point-goal", "expert"),
                1000, new Rng(1), Map.of("quality", "expert"));
        assertEquals(1000, d.size());
        int s = d.observationDim(), terminals = 0;
        for (int i = 0; i < d.size(); i++) {
            assertTrue(!(d.terminals()[i] && d.timeouts()[i]), "row " + i + " is both terminal and timeout");
            terminals += d.terminals()[i] ? 1 : 0;
            if (i + 1 < d.size() && !d.terminals()[i] && !d.timeouts()[i]) {
                assertArrayEquals(Arrays.copyOfRange(d.nextObservations(), i * s, i * s + s),
                        Arrays.copyOfRange(d.observations(), (i + 1) * s, (i + 2) * s), "row " + i);
            }
            if (d.terminals()[i]) {
                assertEquals(1f, d.rewards()[i], "goal-reaching rows carry the sparse reward");
            }
        }
        assertTrue(terminals > 5, "the expert reaches the goal repeatedly");
        assertTrue(d.timeouts()[d.size() - 1] || d.terminals()[d.size() - 1], "the last row closes its episode");
        assertEquals("point-goal", d.metadata().get("env"));
        assertEquals("expert", d.metadata().get("quality"));
    }

    @Test
    void timeLimitsBecomeTimeoutsNotTerminals() {
        OfflineDataset d = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "random"), 450,
                new Rng(2), Map.of());
        for (int i = 0; i < d.size(); i++) {
            assertEquals(i == 199 || i == 399 || i == 449, d.timeouts()[i], "row " + i);
            assertTrue(!d.terminals()[i]);
        }
        assertEquals(3, d.episodeCount());
    }

    @Test
    void sameSeedSameData() {
        OfflineDataset a = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "medium"), 500,
                new Rng(3), Map.of());
        OfflineDataset b = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "medium"), 500,
                new Rng(3), Map.of());
        assertArrayEquals(a.actions(), b.actions());
        assertArrayEquals(a.observations(), b.observations());
    }
}
