package dev.fulcrum.control.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Offline-to-online fine-tuning end to end on a tiny budget: both phases appear in metrics.jsonl on one step axis with
 * their stage, the online phase logs its episodes, the buffer ends as dataset + online transitions, and the run directory
 * has the same files as an offline run.
 */
class FinetuneTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"iql", "awac"})
    void bothPhasesRunAndAreRecorded(String algo) throws Exception {
        Path data = dir.resolve("d.hdf5");
        D4rlHdf5.write(Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "medium"), 2000,
                new Rng(1), Map.of()), data);
        OnlineConfig cfg = ConfigLoader.load(OnlineConfig.class, OnlineConfig.finetuneDefaults(), null, List.of("algo=" + algo,
                "env=pendulum", "dataset=" + data, "offlineSteps=60", "onlineSteps=450", "batchSize=32", "logEvery=20",
                "evalEvery=200", "evalEpisodes=1", "checkpointEvery=200", algo + ".hiddenSize=16"));
        Path run = dir.resolve(algo);
        OnlineTrainer.Result r = new OnlineTrainer(cfg, run).fit();
        assertEquals(510, r.stepsDone());

        List<JsonNode> rows = MetricsLog.read(run.resolve("metrics.jsonl"));
        for (JsonNode row : rows) {
            String expected = row.get("step").asLong() <= 60 ? "offline" : "online";
            assertEquals(expected, row.get("stage").asText(), row.toString());
        }
        assertTrue(rows.stream().anyMatch(x -> x.get("phase").asText().equals("train") && x.get("stage").asText().equals("offline")));
        assertTrue(rows.stream().anyMatch(x -> x.get("phase").asText().equals("train") && x.get("stage").asText().equals("online")));
        List<Long> evalSteps = rows.stream().filter(x -> x.get("phase").asText().equals("eval")).map(x -> x.get("step").asLong()).toList();
        assertEquals(List.of(60L, 200L, 400L, 510L), evalSteps, "every evalEvery steps and at the end of each phase");
        List<JsonNode> episodes = rows.stream().filter(x -> x.get("phase").asText().equals("episode")).toList();
        assertEquals(2, episodes.size(), "450 online steps hold two complete 200-step Pendulum episodes");
        assertEquals(260, episodes.get(0).get("step").asLong());
        assertEquals(200, episodes.get(0).get("length").asInt());
        assertTrue(Double.isFinite(episodes.get(1).get("return").asDouble()));

        JsonNode summary = Json.COMPACT.readTree(run.resolve("summary.json").toFile());
        assertEquals(60, summary.get("offline_steps").asLong());
        assertEquals(450, summary.get("online_steps").asLong());
        assertEquals(510, summary.get("gradient_steps").asLong(), "one update per online step, none skipped");
        assertEquals(2450, summary.get("replay").get("added").asLong(), "dataset rows + online transitions");
        assertTrue(summary.has("offline_final_normalised_score"));
        for (String f : List.of("config.json", "report.md", "eval.png", "train.png", "episode.png")) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
    }
}
