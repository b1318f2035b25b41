package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainers' device setting on this project's CPU engine: the default is the CPU and is recorded in config.json and
 * summary.json; {@code device=gpu} is accepted as a setting but refused by a CPU engine before anything is written; a
 * misspelt device is a configuration error naming the field.
 */
class LmDeviceTest {
    @TempDir
    Path dir;

    private LmTrainConfig config(String... more) {
        Path data = LmRuns.sftData(dir, 2, "str-upper");
        List<String> o = new ArrayList<>(List.of("steps=2", "batchSize=2", "logEvery=1", "evalEvery=100", "eval.problemsPerFamily=1",
                "eval.maxNewTokens=4"));
        o.addAll(List.of(LmRuns.MICRO_MODEL));
        o.addAll(List.of(more));
        return LmRuns.config("sft", data, o.toArray(String[]::new));
    }

    @Test
    void theCpuIsTheDefaultAndIsRecorded() throws Exception {
        LmTrainConfig cfg = config();
        assertEquals("cpu", cfg.device());
        Path run = dir.resolve("run");
        new LmTrainer(cfg, run).fit();
        JsonNode written = Json.COMPACT.readTree(run.resolve("config.json").toFile());
        assertEquals("cpu", written.get("device").asText());
        assertEquals("cpu", Json.COMPACT.readTree(run.resolve("summary.json").toFile()).get("device").asText());
    }

    @Test
    void aGpuOnTheCpuEngineFailsBeforeAnythingIsWritten() {
        LmTrainConfig cfg = config("device=gpu");
        assertEquals("gpu", cfg.device());
        assertEquals("gpu:1", cfg.withDevice("gpu:1").device());
        Path run = dir.resolve("gpu-run");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LmTrainer(cfg, run).fit());
        assertTrue(e.getMessage().contains("sees no GPU") && e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
        assertTrue(Files.notExists(run), "nothing written");
    }

    @Test
    void aMisspeltDeviceIsAConfigurationError() {
        ConfigException e = assertThrows(ConfigException.class, () -> config("device=cuda0"));
        assertTrue(e.getMessage().contains("device") && e.getMessage().contains("'gpu:N'"), e.getMessage());
    }
}
