package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fulcrum lm dpo}: SFT a micro model, train it with DPO (IPO loss, live reference) from that run, resume the
 * finished run, use the result as a model elsewhere, and one-line errors for bad settings.
 */
class LmDpoCommandTest {
    @TempDir
    Path dir;

    private static final List<String> MICRO = List.of("--set", "model.hiddenSize=32", "--set", "model.layers=1", "--set",
            "model.heads=2", "--set", "model.kvHeads=2", "--set", "model.intermediateSize=64", "--set", "model.maxPositions=128",
            "--no-progress");

    @Test
    void sftThenDpoThenDiagnose() throws Exception {
        Path data = dir.resolve("data");
        assertEquals(0, CliTest.run("lm", "make-data", "--tasks", "str-upper", "--per-family", "4", "--labels", "bt",
                "--out", data.toString()).code());
        Path sft = dir.resolve("sft");
        List<String> sftArgs = new java.util.ArrayList<>(List.of("lm", "sft", "--data", data.resolve("sft.jsonl").toString(),
                "--steps", "2", "--set", "evalEvery=100", "--set", "eval.problemsPerFamily=1", "--set", "eval.maxNewTokens=4",
                "--out", sft.toString()));
        sftArgs.addAll(MICRO);
        CliTest.Outcome s = CliTest.run(sftArgs.toArray(String[]::new));
        assertEquals(0, s.code(), s.err());

        Path run = dir.resolve("dpo");
        String[] dpo = {"lm", "dpo", "--data", data.resolve("preferences.jsonl").toString(), "--init", sft.toString(), "--steps", "3",
                "--loss", "ipo", "--beta", "0.5", "--reference-mode", "live", "--set", "batchSize=4", "--set", "preference.klSamples=2",
                "--set", "preference.klMaxNewTokens=4", "--set", "preference.heldOutFraction=0.5", "--no-progress", "--out", run.toString()};
        CliTest.Outcome d = CliTest.run(dpo);
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("ranking accuracy") && d.out().contains("KL(policy || reference)"), d.out());
        for (String f : List.of("config.json", "metrics.jsonl", "summary.json", "report.md", "model/config.json",
                "model/model.safetensors", "model/tokenizer.json")) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        JsonNode config = Json.COMPACT.readTree(run.resolve("config.json").toFile());
        assertEquals("ipo", config.get("preference").get("loss").asText());
        assertEquals(0.5, config.get("preference").get("beta").asDouble());
        assertEquals("live", config.get("preference").get("referenceMode").asText());
        JsonNode summary = Json.COMPACT.readTree(run.resolve("summary.json").toFile());
        assertEquals("dpo-ipo", summary.get("loss").asText());
        assertTrue(summary.get("reference").get("model").asText().endsWith("model"), summary.toString());
        assertTrue(summary.get("evaluation").has("eval_rewards/accuracies"), summary.toString());

        CliTest.Outcome again = CliTest.run("lm", "dpo", "--resume", "--out", run.toString(), "--no-progress");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("already complete"), again.out());
        CliTest.Outcome diag = CliTest.run("lm", "diagnose", "--policy", run.toString(), "--reference", sft.toString(), "--data",
                data.resolve("preferences.jsonl").toString(), "--limit", "6", "--out", dir.resolve("diag").toString());
        assertEquals(0, diag.code(), diag.err());
    }

    @Test
    void badSettingsGiveOneLineErrors() throws Exception {
        Path data = dir.resolve("data");
        assertEquals(0, CliTest.run("lm", "make-data", "--tasks", "str-upper", "--per-family", "2", "--out", data.toString()).code());
        String prefs = data.resolve("preferences.jsonl").toString();
        Path out = dir.resolve("run");
        assertError(CliTest.run("lm", "dpo", "--data", prefs, "--loss", "kto", "--out", out.toString()), "config field 'preference.loss'");
        assertError(CliTest.run("lm", "dpo", "--data", prefs, "--beta", "0", "--out", out.toString()), "config field 'preference.beta'");
        assertError(CliTest.run("lm", "dpo", "--data", prefs, "--reference-mode", "cached", "--out", out.toString()),
                "config field 'preference.referenceMode'");
        assertError(CliTest.run("lm", "dpo", "--data", data.resolve("sft.jsonl").toString(), "--out", out.toString()),
                "field 'chosen' is missing");
        assertError(CliTest.run("lm", "dpo", "--data", prefs, "--reference", dir.resolve("none").toString(), "--out", out.toString()),
                "not a run or model directory");
        assertTrue(Files.notExists(out), "failed commands leave nothing behind");
    }

    private static void assertError(CliTest.Outcome o, String fragment) {
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(fragment), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    }
}
