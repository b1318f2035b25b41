package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fulcrum rank make-data} and {@code rank eval --bm25} from the command line, and their one-line errors. */
class RankCommandTest {
    @TempDir
    Path dir;

    @Test
    void makeDataThenEvaluateBm25() throws Exception {
        Path data = dir.resolve("data");
        CliTest.Outcome made = CliTest.run("rank", "make-data", "--out", data.toString(), "--in-domain-entities", "12",
                "--out-of-domain-entities", "4");
        assertEquals(0, made.code(), made.err());
        assertTrue(Files.isRegularFile(data.resolve("in-domain/qrels/train.tsv")));
        assertTrue(Files.isRegularFile(data.resolve("out-of-domain/qrels/test.tsv")));
        Path out = dir.resolve("bm25.json");
        CliTest.Outcome eval = CliTest.run("rank", "eval", "--bm25", "--data", data.resolve("in-domain").toString(), "--out",
                out.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("nDCG@10"), eval.out());
        JsonNode j = Json.COMPACT.readTree(out.toFile());
        assertEquals(16, j.get("queries").asInt());
        assertTrue(j.get("ndcg@10").asDouble() > 0);
    }

    @Test
    void oneLineErrors() {
        CliTest.Outcome neither = CliTest.run("rank", "eval", "--data", dir.toString());
        assertEquals(2, neither.code());
        assertTrue(neither.err().contains("exactly one of --run RUN and --bm25"), neither.err());
        CliTest.Outcome noData = CliTest.run("rank", "eval", "--bm25", "--data", dir.toString());
        assertEquals(2, noData.code());
        assertTrue(noData.err().contains("not a BEIR dataset folder"), noData.err());
        CliTest.Outcome badMethod = CliTest.run("rank", "train", "--method", "listwise", "--out", dir.resolve("r").toString());
        assertEquals(2, badMethod.code());
        assertTrue(badMethod.err().contains("--method must be one of"), badMethod.err());
    }
}
