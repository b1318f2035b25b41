package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fulcrum lm sft|reward|eval|generate|diagnose}: help, the whole workflow on a micro model (make data, SFT,
 * generate, evaluate against the references and against another model, a reward model started from the SFT model,
 * diagnose), and one-line errors for bad input.
 */
class LmTrainingCommandsTest {
    @TempDir
    Path dir;

    /** A micro model and quick evaluation for the training commands (later {@code --set}s override these). */
    static final List<String> MICRO = List.of("--set", "model.hiddenSize=32", "--set", "model.layers=1", "--set",
            "model.heads=2", "--set", "model.kvHeads=2", "--set", "model.intermediateSize=64", "--set", "model.maxPositions=128",
            "--set", "logEvery=2", "--set", "evalEvery=100", "--set", "eval.problemsPerFamily=2", "--set", "eval.maxNewTokens=10",
            "--no-progress");

    private static String[] args(List<String> head, String... more) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(more));
        all.addAll(MICRO);
        return all.toArray(String[]::new);
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("sft", "reward", "eval", "generate", "diagnose")) {
            CliTest.Outcome o = CliTest.run("lm", cmd, "--help");
            assertEquals(0, o.code(), cmd);
            assertTrue(o.out().contains("Usage:"), cmd);
            assertTrue(CliTest.run("lm").out().contains(cmd), "lm lists " + cmd);
        }
    }

    @Test
    void sftGenerateEvalRewardDiagnose() throws Exception {
        Path data = dir.resolve("data");
        assertEquals(0, CliTest.run("lm", "make-data", "--tasks", "str-upper,tool-calc", "--per-family", "6", "--labels", "bt",
                "--out", data.toString()).code());
        Path sft = dir.resolve("sft");
        CliTest.Outcome t = CliTest.run(args(List.of("lm", "sft"), "--data", data.resolve("sft.jsonl").toString(), "--steps", "4",
                "--model-size", "tiny", "--out", sft.toString()));
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("in-distribution") && t.out().contains("held-out") && t.out().contains("tool-calc"), t.out());
        for (String f : List.of("config.json", "metrics.jsonl", "summary.json", "report.md", "tokenizer/tokenizer.json",
                "model/config.json", "model/model.safetensors", "model/tokenizer.json")) {
            assertTrue(Files.exists(sft.resolve(f)), f);
        }
        JsonNode summary = Json.COMPACT.readTree(sft.resolve("summary.json").toFile());
        assertEquals(12, summary.get("data").get("examples").asInt());
        assertTrue(summary.get("families").size() >= 7, "training families and held-out families: " + summary.get("families"));

        CliTest.Outcome g = CliTest.run("lm", "generate", "--model", sft.toString(), "--task", "str-upper", "--count", "2",
                "--max-new-tokens", "8");
        assertEquals(0, g.code(), g.err());
        assertEquals(2, g.out().lines().filter(l -> l.startsWith("--- gold reward")).count(), g.out());
        CliTest.Outcome s = CliTest.run("lm", "generate", "--model", sft.resolve("model").toString(), "--prompt", "uppercase: abc",
                "--temperature", "1.0", "--top-k", "5", "--seed", "3", "--max-new-tokens", "6");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("uppercase: abc\n--- response"), s.out());

        Path eval = dir.resolve("eval.json");
        CliTest.Outcome e = CliTest.run("lm", "eval", "--run", sft.toString(), "--tasks", "str-upper,sort-desc", "--per-family", "3",
                "--max-new-tokens", "10", "--resamples", "200", "--out", eval.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("win rate of") && e.out().contains("sort-desc"), e.out());
        JsonNode ev = Json.COMPACT.readTree(eval.toFile());
        double win = ev.get("win_rate").get("estimate").asDouble();
        assertTrue(win >= 0 && win <= 0.5 + 1e-9, "nothing beats a reference answer: " + win);
        assertTrue(ev.get("win_rate").get("lo").asDouble() <= win && win <= ev.get("win_rate").get("hi").asDouble());
        CliTest.Outcome self = CliTest.run("lm", "eval", "--run", sft.toString(), "--against", sft.toString(), "--tasks", "str-upper",
                "--per-family", "2", "--max-new-tokens", "8", "--oracle", "gold", "--resamples", "100");
        assertEquals(0, self.code(), self.err());
        assertTrue(self.out().contains("against " + sft.resolve("model") + ": 0.500"), "a model ties with itself: " + self.out());

        Path rm = dir.resolve("rm");
        CliTest.Outcome r = CliTest.run(args(List.of("lm", "reward"), "--data", data.resolve("preferences.jsonl").toString(),
                "--init", sft.toString(), "--steps", "3", "--set", "reward.heldOutFraction=0.25", "--out", rm.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("held-out pairwise accuracy") && r.out().contains("oracle: expected"), r.out());
        JsonNode rmConfig = Json.COMPACT.readTree(rm.resolve("model/config.json").toFile());
        assertEquals("LlamaForSequenceClassification", rmConfig.get("architectures").get(0).asText());

        Path diag = dir.resolve("diag");
        CliTest.Outcome d = CliTest.run("lm", "diagnose", "--policy", sft.toString(), "--reference", sft.toString(), "--data",
                data.resolve("preferences.jsonl").toString(), "--limit", "20", "--out", diag.toString());
        assertEquals(0, d.code(), d.err());
        JsonNode all = Json.COMPACT.readTree(diag.resolve("diagnostics.json").toFile()).get("reports").get("all");
        assertEquals(20, all.get("pairs").asInt());
        assertEquals(all.get("referenceRankingAccuracy").asDouble(), all.get("rankingAccuracy").asDouble(), 0.0,
                "a model diagnosed against itself ranks as its reference does");
        assertEquals(0, all.get("flips").get("flippedToRight").asInt());

        CliTest.Outcome resumed = CliTest.run("lm", "sft", "--out", sft.toString(), "--resume", "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("already complete"), resumed.out());
        assertEquals(summary, Json.COMPACT.readTree(sft.resolve("summary.json").toFile()), "a finished run is left as it was");
    }

    @Test
    void badInputGivesOneLineErrors() throws Exception {
        Path data = dir.resolve("data");
        assertEquals(0, CliTest.run("lm", "make-data", "--tasks", "str-upper", "--per-family", "3", "--out", data.toString()).code());
        String sft = data.resolve("sft.jsonl").toString();
        Path out = dir.resolve("run");
        assertError(CliTest.run("lm", "sft", "--out", out.toString()), "no training data");
        assertError(CliTest.run("lm", "sft", "--data", dir.resolve("none.jsonl").toString(), "--out", out.toString()),
                "data file not found");
        assertError(CliTest.run("lm", "sft", "--data", sft, "--set", "model.heads=5", "--out", out.toString()),
                "config field 'model.heads'");
        assertError(CliTest.run("lm", "sft", "--data", sft, "--set", "optimizer.lr=1", "--out", out.toString()),
                "config field 'optimizer.lr' is not a known setting");
        assertError(CliTest.run("lm", "sft", "--data", sft, "--set", "steps=0", "--out", out.toString()), "config field 'steps'");
        assertError(CliTest.run("lm", "sft", "--data", sft, "--model-size", "huge", "--out", out.toString()), "unknown model size 'huge'");
        assertError(CliTest.run("lm", "sft", "--data", sft, "--set", "objective=reward", "--out", out.toString()),
                "use 'fulcrum lm reward'");
        assertError(CliTest.run("lm", "sft", "--data", sft, "--init", dir.resolve("nothing").toString(), "--out", out.toString()),
                "not a run or model directory");
        assertError(CliTest.run("lm", "reward", "--data", sft, "--out", out.toString()), "field 'chosen' is missing");
        String pairs = data.resolve("preferences.jsonl").toString();
        assertError(CliTest.run("lm", "reward", "--data", pairs, "--set", "reward.head=middle-token", "--out", out.toString()),
                "config field 'reward.head'");
        assertError(CliTest.run("lm", "reward", "--data", pairs, "--set", "reward.gateInit=NaN", "--out", out.toString()),
                "config field 'reward.gateInit'");
        assertError(CliTest.run("lm", "reward", "--data", pairs, "--set", "reward.lmWeight=0.1", "--out", out.toString()),
                "config field 'reward.lmWeight' needs reward.head=last-token+likelihood or last-token+dual-likelihood");
        assertError(CliTest.run("lm", "reward", "--data", pairs, "--set", "reward.head=last-token+likelihood", "--set",
                "reward.lmWeight=-1", "--out", out.toString()), "config field 'reward.lmWeight' must be a non-negative number");
        assertError(CliTest.run("lm", "reward", "--data", pairs, "--set", "reward.klWeight=1", "--out", out.toString()),
                "config field 'reward.klWeight' needs a likelihood head (reward.head=last-token+likelihood, "
                        + "last-token+reference-likelihood or last-token+dual-likelihood");
        Path chat = dir.resolve("chat");
        assertEquals(0, CliTest.run("lm", "make-data", "--tasks", "str-upper", "--per-family", "2", "--format", "conversational",
                "--out", chat.toString()).code());
        Path mixed = dir.resolve("mixed.jsonl");
        Files.writeString(mixed, "{\"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}], \"completion\": \"hello\"}\n");
        assertError(CliTest.run("lm", "sft", "--data", mixed.toString(), "--out", out.toString()), "mixed.jsonl");
        assertError(CliTest.run("lm", "sft", "--data", sft, "--set", "model.maxPositions=8", "--out", out.toString()),
                "more than the model's maxPositions 8");
        assertTrue(Files.notExists(out), "failed commands leave nothing behind");

        assertError(CliTest.run("lm", "eval", "--run", dir.toString()), "holds neither a run");
        assertError(CliTest.run("lm", "eval", "--run", data.toString(), "--oracle", "votes"), "unknown oracle 'votes'");
        assertError(CliTest.run("lm", "generate", "--model", data.toString()), "give either --prompt TEXT");
        assertError(CliTest.run("lm", "diagnose", "--policy", data.toString(), "--reference", data.toString(), "--data", sft,
                "--beta", "0", "--out", dir.resolve("d").toString()), "--beta must be positive");
    }

    private static void assertError(CliTest.Outcome o, String fragment) {
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(fragment), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    }
}
