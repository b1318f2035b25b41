package dev.fulcrum.control.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.data.ReplayBuffer;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The medium rule, and the five tiers' contents and provenance from a tiny SAC run. */
class DatasetTiersTest {
    @TempDir
    Path dir;

    private static DatasetTiers.EvalPoint at(long step, double score) {
        return new DatasetTiers.EvalPoint(step, score);
    }

    @Test
    void mediumIsTheFirstEvaluationAThirdOfTheWayFromTheBaselineToTheExpert() {
        assertEquals(at(1500, 40), DatasetTiers.medium(List.of(at(500, -30), at(1000, 10), at(1500, 40), at(2000, 5),
                at(2500, 95))), "95 / 3 = 31.7: the first at or above it");
        assertEquals(at(1000, 30), DatasetTiers.medium(List.of(at(500, -5), at(1000, 30), at(1500, 90))), "30 = 90 / 3 counts");
        // halfcheetah-like: the untrained policy (first evaluation) already scores 2.2, the expert 4.2: the baseline is 2.2,
        // the threshold 2.2 + 2.0 / 3 = 2.87, so neither the untrained policy nor the dip below it count
        assertEquals(at(4000, 3.2), DatasetTiers.medium(List.of(at(1000, 2.2), at(2000, 0.4), at(3000, 2.4), at(4000, 3.2),
                at(5000, 4.2))), "a third of the way from the untrained policy's score");
        assertEquals(at(1000, -3), DatasetTiers.medium(List.of(at(500, 5), at(1000, -3))), "no learning: the final policy");
    }

    @Test
    void tiersHaveTheD4rlLayoutAndProvenance() throws Exception {
        OnlineConfig sac = ConfigLoader.load(OnlineConfig.class, OnlineConfig.defaults(), null, List.of("algo=sac",
                "env=pendulum", "onlineSteps=600", "randomSteps=100", "batchSize=32", "sac.hiddenSize=16", "evalEvery=200",
                "evalEpisodes=1", "logEvery=100"));
        Path out = dir.resolve("tiers");
        DatasetTiers.Result r = DatasetTiers.make(new DatasetTiers.Settings(sac, 400, out, "test"), false);

        assertEquals(List.of("random", "medium", "medium-replay", "medium-expert", "expert"),
                r.tiers().stream().map(DatasetTiers.Tier::name).toList());
        Map<String, OfflineDataset> d = new java.util.LinkedHashMap<>();
        for (DatasetTiers.Tier t : r.tiers()) {
            assertEquals(out.resolve("pendulum-" + t.name() + ".hdf5"), t.file());
            OfflineDataset data = D4rlHdf5.read(t.file());
            assertEquals(t.name(), data.metadata().get("tier"));
            assertEquals(DatasetTiers.GENERATOR, data.metadata().get("made_by"));
            assertEquals("pendulum", data.metadata().get("env"));
            assertEquals("test", data.metadata().get("command"));
            d.put(t.name(), data);
        }
        assertEquals(400, d.get("random").size());
        assertEquals(400, d.get("expert").size());
        assertEquals(Long.toString(r.mediumStep()), d.get("medium").metadata().get("medium_policy_step"));
        assertEquals("600", d.get("expert").metadata().get("expert_policy_step"));

        // medium-replay: the first mediumStep rows of SAC's buffer, as its final checkpoint holds them
        RunDirectory run = RunDirectory.open(out.resolve("sac"));
        try (NDManager m = Torch.newManager()) {
            Checkpoint c = Checkpoint.load(run.latestCheckpoint().orElseThrow(), m);
            ReplayBuffer buffer = new ReplayBuffer(3, 1, 600);
            buffer.restoreState("replay", c);
            OfflineDataset head = buffer.rows(0, r.mediumStep(), Map.of());
            assertEquals(r.mediumStep(), d.get("medium-replay").size());
            assertArrayEquals(head.observations(), d.get("medium-replay").observations());
            assertArrayEquals(head.rewards(), d.get("medium-replay").rewards());
            assertArrayEquals(head.timeouts(), d.get("medium-replay").timeouts());
        }
        // medium-expert: medium's rows, then expert's
        OfflineDataset mixed = d.get("medium-expert");
        assertEquals(800, mixed.size());
        assertArrayEquals(d.get("medium").rewards(), Arrays.copyOfRange(mixed.rewards(), 0, 400));
        assertArrayEquals(d.get("expert").rewards(), Arrays.copyOfRange(mixed.rewards(), 400, 800));

        JsonNode tiers = Json.COMPACT.readTree(out.resolve("tiers.json").toFile());
        assertEquals(5, tiers.get("tiers").size());
        assertEquals(DatasetTiers.MEDIUM_RULE, tiers.get("medium_rule").asText());
        assertEquals(r.mediumStep(), tiers.get("medium_policy").get("step").asLong());
        try (var policies = Files.list(run.root().resolve("policies"))) {
            assertTrue(policies.count() <= 2, "only the medium and expert policies are kept");
        }
    }
}
