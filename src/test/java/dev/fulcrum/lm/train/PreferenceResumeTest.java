package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A DPO run killed between checkpoints and resumed equals an uninterrupted one: the same metrics (throughput aside),
 * bit-identical final weights and AdamW moments, and the same exported policy; with precomputed reference scores the
 * resumed run reads them back from the run directory instead of recomputing them.
 */
class PreferenceResumeTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"precomputed", "live"})
    void interruptedAndResumedEqualsUninterrupted(String mode) throws Exception {
        Path data = LmRuns.preferenceData(dir, 4, "str-reverse", "sort-asc");
        List<String> overrides = new ArrayList<>(List.of("steps=12", "batchSize=4", "accumulation=2", "logEvery=2", "evalEvery=6",
                "checkpointEvery=4", "keepCheckpoints=10", "preference.heldOutFraction=0.25", "preference.referenceMode=" + mode,
                "preference.klSamples=2", "preference.klMaxNewTokens=8"));
        overrides.addAll(List.of(LmRuns.MICRO_MODEL));
        LmTrainConfig cfg = LmRuns.config("dpo", data, overrides.toArray(String[]::new));

        Path whole = dir.resolve("whole");
        new LmTrainer(cfg, whole).fit();
        Path broken = dir.resolve("broken");
        assertEquals(10, new LmTrainer(cfg, broken).stopAfter(10).fit().stepsDone());
        assertTrue(Files.notExists(broken.resolve("model")), "an interrupted run exports nothing");
        new LmTrainer(cfg, broken).resume(true).fit();

        assertEquals(withoutTiming(whole), withoutTiming(broken));
        assertTrue(withoutTiming(whole).stream().anyMatch(n -> n.has("kl_to_reference")));
        Path a = RunDirectory.open(whole).latestCheckpoint().orElseThrow();
        Path b = RunDirectory.open(broken).latestCheckpoint().orElseThrow();
        assertEquals(a.getFileName(), b.getFileName());
        assertSameTensors(Safetensors.read(a), Safetensors.read(b));
        assertSameTensors(Safetensors.read(whole.resolve("model/model.safetensors")),
                Safetensors.read(broken.resolve("model/model.safetensors")));

        String scores = Json.COMPACT.readTree(broken.resolve("summary.json").toFile()).path("reference").path("scores").asText();
        if (mode.equals("precomputed")) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(PreferenceObjective.REFERENCE_FILE)),
                    Files.readAllBytes(broken.resolve(PreferenceObjective.REFERENCE_FILE)));
            assertEquals("read from " + PreferenceObjective.REFERENCE_FILE, scores, "the resumed run reads the reference scores back");
        } else {
            assertTrue(Files.notExists(whole.resolve(PreferenceObjective.REFERENCE_FILE)));
        }
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
