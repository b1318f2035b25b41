package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device} and {@code --set device=...} on the language-model training commands, on this project's CPU engine:
 * a GPU is refused with what to install, a misspelt device names the accepted forms, and an interrupted run resumes
 * with {@code --resume --device cpu}.
 */
class LmDeviceOptionTest {
    @TempDir
    Path dir;

    private static final List<String> MICRO = java.util.stream.Stream.concat(LmTrainingCommandsTest.MICRO.stream(),
            java.util.stream.Stream.of("--set", "logEvery=1", "--set", "eval.problemsPerFamily=1", "--set", "eval.maxNewTokens=4",
                    "--set", "batchSize=2")).toList();

    private Path data() {
        Path data = dir.resolve("data");
        assertEquals(0, CliTest.run("lm", "make-data", "--tasks", "str-upper", "--per-family", "2", "--labels", "bt",
                "--out", data.toString()).code());
        return data;
    }

    private static String[] args(String... head) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(MICRO);
        return all.toArray(String[]::new);
    }

    @Test
    void gpuIsRefusedOnTheCpuEngineAndMisspellingsNameTheForms() {
        Path data = data();
        for (String cmd : List.of("sft", "reward")) {
            String file = cmd.equals("sft") ? "sft.jsonl" : "preferences.jsonl";
            Path out = dir.resolve(cmd + "-gpu");
            CliTest.Outcome byOption = CliTest.run(args("lm", cmd, "--data", data.resolve(file).toString(), "--steps", "2",
                    "--device", "gpu", "--out", out.toString()));
            assertNotEquals(0, byOption.code());
            assertTrue(byOption.err().contains("sees no GPU") && byOption.err().contains("PYTORCH_FLAVOR"), byOption.err());
            assertTrue(Files.notExists(out));
            CliTest.Outcome bySet = CliTest.run(args("lm", cmd, "--data", data.resolve(file).toString(), "--steps", "2",
                    "--set", "device=gpu:1", "--out", out.toString()));
            assertTrue(bySet.code() != 0 && bySet.err().contains("sees no GPU"), bySet.err());
        }
        CliTest.Outcome bad = CliTest.run(args("lm", "sft", "--data", data.resolve("sft.jsonl").toString(), "--device", "tpu",
                "--out", dir.resolve("bad").toString()));
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("device") && bad.err().contains("'gpu:N'"), bad.err());
    }

    @Test
    void anInterruptedRunResumesWithADeviceOption() throws Exception {
        Path data = data();
        Path run = dir.resolve("run");
        CliTest.Outcome first = CliTest.run(args("lm", "sft", "--data", data.resolve("sft.jsonl").toString(), "--steps", "4",
                "--set", "checkpointEvery=2", "--stop-after", "2", "--out", run.toString()));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("stopped at step 2"), first.out());
        CliTest.Outcome resumed = CliTest.run("lm", "sft", "--resume", "--device", "cpu", "--out", run.toString(), "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals("cpu", Json.COMPACT.readTree(run.resolve("config.json").toFile()).get("device").asText());
        assertEquals("cpu", Json.COMPACT.readTree(run.resolve("summary.json").toFile()).get("device").asText());
        assertEquals(4, Json.COMPACT.readTree(run.resolve("summary.json").toFile()).get("steps").asInt());
    }
}
