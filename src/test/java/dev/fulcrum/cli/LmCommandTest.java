package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.tokenize.BpeTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fulcrum lm}: help everywhere, tasks, make-data, tokenizer train/encode, and one-line errors. */
class LmCommandTest {
    @TempDir
    Path dir;

    @Test
    void everyCommandHasHelp() {
        for (List<String> cmd : List.<List<String>>of(List.of("lm"), List.of("lm", "tasks"), List.of("lm", "make-data"),
                List.of("lm", "tokenizer"), List.of("lm", "tokenizer", "train"), List.of("lm", "tokenizer", "encode"))) {
            String[] args = Stream.concat(cmd.stream(), Stream.of("--help")).toArray(String[]::new);
            CliTest.Outcome o = CliTest.run(args);
            assertEquals(0, o.code(), String.join(" ", args));
            assertTrue(o.out().contains("Usage:"), String.join(" ", args));
        }
        assertTrue(CliTest.run("lm").out().contains("make-data"), "a bare group prints its usage");
    }

    @Test
    void tasksListsFamiliesAndSplits() {
        CliTest.Outcome o = CliTest.run("lm", "tasks");
        assertEquals(0, o.code());
        assertTrue(o.out().contains("tool-basket") && o.out().contains("held-out") && o.out().contains("in-distribution"), o.out());
    }

    @Test
    void makeDataThenTrainATokenizerOnIt() throws Exception {
        Path data = dir.resolve("data");
        CliTest.Outcome o = CliTest.run("lm", "make-data", "--tasks", "arith-add,tool-price,held-out", "--per-family", "5",
                "--labels", "bt", "--temperature", "0.2", "--seed", "3", "--out", data.toString());
        assertEquals(0, o.code(), o.err());
        assertEquals(7 * 5, SftJsonl.read(data.resolve("sft.jsonl")).size());
        // all pairs of reference + corruptions: 10 per problem with 4 corruptions, 6 for sorting (3 corruptions)
        assertEquals((6 * 10 + 6) * 5, PreferenceJsonl.read(data.resolve("preferences.jsonl")).size());
        JsonNode prov = Json.MAPPER.readTree(data.resolve("provenance.json").toFile());
        assertEquals("bradley-terry(t=0.2)", prov.get("labels").asText());
        assertEquals(7, prov.get("families").size());
        assertTrue(prov.get("command").asText().startsWith("fulcrum lm make-data --tasks arith-add,tool-price,held-out"));

        Path again = dir.resolve("again");
        assertEquals(0, CliTest.run("lm", "make-data", "--tasks", "arith-add,tool-price,held-out", "--per-family", "5",
                "--labels", "bt", "--temperature", "0.2", "--seed", "3", "--out", again.toString()).code());
        assertEquals(Files.readString(data.resolve("preferences.jsonl")), Files.readString(again.resolve("preferences.jsonl")),
                "same seed, same data");

        Path chat = dir.resolve("chat");
        assertEquals(0, CliTest.run("lm", "make-data", "--tasks", "sort-asc", "--per-family", "2", "--format", "conversational",
                "--labels", "intransitive", "--out", chat.toString()).code());
        assertTrue(Files.readString(chat.resolve("sft.jsonl")).startsWith("{\"messages\":[{\"role\":\"user\""));

        Path tok = dir.resolve("tok").resolve("tokenizer.json");
        CliTest.Outcome t = CliTest.run("lm", "tokenizer", "train", "--corpus", data.resolve("sft.jsonl").toString(),
                data.resolve("preferences.jsonl").toString(), "--vocab", "400", "--out", tok.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("vocabulary 400"), t.out());
        BpeTokenizer bpe = BpeTokenizer.load(tok);
        assertEquals(400, bpe.vocabSize());
        CliTest.Outcome e = CliTest.run("lm", "tokenizer", "encode", "--tokenizer", tok.toString(), "<call>lookup(price,", "fig)</call>");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("round trip exact: true"), e.out());
    }

    @Test
    void badInputGivesOneLineErrors() throws Exception {
        assertError(CliTest.run("lm", "make-data", "--tasks", "arith-add,poetry", "--out", dir.resolve("x").toString()),
                "unknown task family 'poetry'");
        assertError(CliTest.run("lm", "make-data", "--labels", "votes", "--out", dir.resolve("x").toString()), "unknown --labels 'votes'");
        assertError(CliTest.run("lm", "make-data", "--format", "csv", "--out", dir.resolve("x").toString()), "unknown preference format");
        assertError(CliTest.run("lm", "make-data", "--per-family", "0", "--out", dir.resolve("x").toString()), "--per-family must be positive");
        assertError(CliTest.run("lm", "make-data", "--labels", "bt", "--temperature", "0", "--out", dir.resolve("x").toString()),
                "temperature must be positive");
        assertError(CliTest.run("lm", "tokenizer", "train", "--corpus", dir.resolve("none.txt").toString(), "--vocab", "300",
                "--out", dir.resolve("t.json").toString()), "corpus file not found");
        Path text = dir.resolve("c.txt");
        Files.writeString(text, "hello");
        assertError(CliTest.run("lm", "tokenizer", "train", "--corpus", text.toString(), "--vocab", "100",
                "--out", dir.resolve("t.json").toString()), "vocabulary size must be at least 259");
        assertError(CliTest.run("lm", "tokenizer", "encode", "--tokenizer", dir.resolve("missing.json").toString(), "hi"),
                "tokenizer file not found");
        assertTrue(Files.notExists(dir.resolve("x")), "failed commands leave nothing behind");
    }

    private static void assertError(CliTest.Outcome o, String fragment) {
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(fragment), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    }
}
