package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill a language-model run between checkpoints, resume it, and get exactly what an uninterrupted run gets: the same
 * metrics (training and evaluation; wall-clock throughput aside), bit-identical final weights, AdamW moments and data
 * order, and the same exported model. With gradient accumulation and length-grouped batches, across an epoch boundary.
 */
class LmResumeTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sft", "reward"})
    void interruptedAndResumedEqualsUninterrupted(String objective) throws Exception {
        Path data = objective.equals("sft") ? LmRuns.sftData(dir, 12, "str-upper", "sort-asc")
                : LmRuns.preferenceData(dir, 4, "str-reverse", "sort-asc");
        List<String> overrides = new ArrayList<>(List.of("steps=12", "batchSize=4", "accumulation=2", "logEvery=2", "evalEvery=6",
                "checkpointEvery=4", "keepCheckpoints=10", "eval.problemsPerFamily=2", "eval.maxNewTokens=12",
                "reward.heldOutFraction=0.25"));
        overrides.addAll(List.of(LmRuns.MICRO_MODEL));
        LmTrainConfig cfg = LmRuns.config(objective, data, overrides.toArray(String[]::new));

        Path whole = dir.resolve("whole");
        new LmTrainer(cfg, whole).fit();
        Path broken = dir.resolve("broken");
        assertEquals(10, new LmTrainer(cfg, broken).stopAfter(10).fit().stepsDone()); // dies after update 10
        assertTrue(Files.notExists(broken.resolve("summary.json")) && Files.notExists(broken.resolve("model")),
                "an interrupted run has no summary and no exported model");
        new LmTrainer(cfg, broken).resume(true).fit(); // continues from the update-8 checkpoint

        assertEquals(withoutTiming(whole), withoutTiming(broken));
        assertTrue(withoutTiming(whole).stream().anyMatch(n -> n.get("phase").asText().equals("eval")));
        Path a = RunDirectory.open(whole).latestCheckpoint().orElseThrow();
        Path b = RunDirectory.open(broken).latestCheckpoint().orElseThrow();
        assertEquals("step-00000012.safetensors", a.getFileName().toString());
        assertEquals(a.getFileName(), b.getFileName());
        assertSameTensors(Safetensors.read(a), Safetensors.read(b));
        assertSameTensors(Safetensors.read(whole.resolve("model/model.safetensors")),
                Safetensors.read(broken.resolve("model/model.safetensors")));
        assertEquals(Files.readString(whole.resolve("model/config.json")), Files.readString(broken.resolve("model/config.json")));
    }

    private static List<JsonNode> withoutTiming(Path run) {
        List<JsonNode> rows = MetricsLog.read(run.resolve("metrics.jsonl"));
        rows.forEach(r -> LmTrainer.TIMING_METRICS.forEach(((ObjectNode) r)::remove));
        return rows;
    }

    private static void assertSameTensors(Safetensors.Contents x, Safetensors.Contents y) {
        assertEquals(x.metadata(), y.metadata());
        assertEquals(x.tensors().keySet(), y.tensors().keySet());
        for (String k : x.tensors().keySet()) {
            assertArrayEquals(x.tensors().get(k).data(), y.tensors().get(k).data(), k);
        }
    }
}
