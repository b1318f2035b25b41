package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mixed datasets: shares, episode boundaries, provenance, and that each part is exactly what Collector collects. */
class DatasetMixtureTest {

    @Test
    void partsAreCollectorOutputsStackedOnEpisodeBoundaries() {
        OfflineDataset mixed = DatasetMixture.collect("pendulum", DatasetMixture.RANDOM_EXPERT, 1500, new Rng(3), Map.of("k", "v"));
        assertEquals(1500, mixed.size());
        OfflineDataset random = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "random"), 1350,
                new Rng(3).split("mixture-0-random"), Map.of());
        OfflineDataset expert = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "expert"), 150,
                new Rng(3).split("mixture-1-expert"), Map.of());
        assertArrayEquals(random.actions(), Arrays.copyOfRange(mixed.actions(), 0, 1350));
        assertArrayEquals(expert.observations(), Arrays.copyOfRange(mixed.observations(), 1350 * 3, 1500 * 3));
        assertTrue(mixed.timeouts()[1349] || mixed.terminals()[1349], "the random part ends an episode");
        assertEquals(random.episodeCount() + expert.episodeCount(), mixed.episodeCount());
        assertEquals("random-expert", mixed.metadata().get("mixture"));
        assertEquals("random:0.9,expert:0.1", mixed.metadata().get("components"));
        assertEquals("v", mixed.metadata().get("k"));
        assertEquals("1500", mixed.metadata().get("transitions"));
        assertEquals(Integer.toString(mixed.episodeCount()), mixed.metadata().get("episodes"));
    }

    @Test
    void mixtureQualityLiesBetweenItsComponents() {
        EnvSpec spec = EnvRegistry.make("pendulum").spec();
        double mediumExpert = spec.normalisedScore(Stats.mean(
                DatasetMixture.collect("pendulum", DatasetMixture.MEDIUM_EXPERT, 8000, new Rng(1), Map.of()).episodeReturns()));
        double mediumReplay = spec.normalisedScore(Stats.mean(
                DatasetMixture.collect("pendulum", DatasetMixture.MEDIUM_REPLAY, 8000, new Rng(1), Map.of()).episodeReturns()));
        assertTrue(mediumExpert > 60 && mediumExpert < 90, "medium-expert " + mediumExpert);
        assertTrue(mediumReplay > 10 && mediumReplay < 40, "medium-replay " + mediumReplay);
    }

    @Test
    void badRecipesAndPartsAreRejectedWithTheirNames() {
        assertThrows(IllegalArgumentException.class, () -> DatasetMixture.named("expert-only"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DatasetMixture.Recipe("x",
                List.of(new DatasetMixture.Component("random", 0.5), new DatasetMixture.Component("expert", 0.4))));
        assertTrue(e.getMessage().contains("sum to 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DatasetMixture.Component("great", 1.0));
        OfflineDataset open = new OfflineDataset(1, 1, new float[] {0, 1}, new float[] {0, 0}, new float[] {0, 0}, new float[] {1, 2},
                new boolean[2], new boolean[2], Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> DatasetMixture.concat(List.of(open), Map.of()));
        assertTrue(e.getMessage().contains("episode boundary"), e.getMessage());
    }
}
