package dev.fulcrum.lm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BEIR's corpus/queries/qrels layout: reading a hand-written folder, round trips, and named errors. */
class BeirIoTest {
    @TempDir
    Path dir;

    private void writeSample(Path d) throws Exception {
        Files.createDirectories(d.resolve("qrels"));
        Files.writeString(d.resolve("corpus.jsonl"), """
                {"_id": "d1", "title": "Figs", "text": "A fig costs 5 coins.", "metadata": {"source": "table"}}
                {"_id": "d2", "title": "", "text": "Limes cost 2 coins."}
                {"_id": 3, "text": "Melons weigh 90."}
                """);
        Files.writeString(d.resolve("queries.jsonl"), """
                {"_id": "q1", "text": "price of a fig"}
                {"_id": "q2", "text": "melon weight", "metadata": {}}
                """);
        Files.writeString(d.resolve("qrels").resolve("test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\nq2\t3\t1\n");
        Files.writeString(d.resolve("qrels").resolve("dev.tsv"), "query-id\tcorpus-id\tscore\nq2\t3\t1\n");
    }

    @Test
    void readsAndRoundTrips() throws Exception {
        Path src = dir.resolve("src");
        writeSample(src);
        BeirDataset data = BeirIo.read(src);
        assertEquals(3, data.corpus().size());
        assertEquals("Figs", data.corpus().get("d1").title());
        assertEquals("table", data.corpus().get("d1").metadata().get("source").asText());
        assertEquals("Melons weigh 90.", data.corpus().get("3").text());
        assertEquals("", data.corpus().get("3").title());
        assertEquals(Map.of("d1", 2, "d2", 0), data.qrels().get("test").get("q1"));
        assertEquals(Map.of("3", 1), data.qrels().get("dev").get("q2"));

        Path out = dir.resolve("out");
        BeirIo.write(data, out);
        assertEquals(data, BeirIo.read(out));
        assertTrue(Files.readString(out.resolve("qrels/test.tsv")).startsWith("query-id\tcorpus-id\tscore\nq1\td1\t2\n"));
    }

    @Test
    void writesFromRecords() {
        Map<String, BeirDataset.Document> corpus = new LinkedHashMap<>();
        corpus.put("a", new BeirDataset.Document("a", "T", "text a", Map.of("k", Json.MAPPER.valueToTree(1))));
        Map<String, BeirDataset.Query> queries = Map.of("q", new BeirDataset.Query("q", "find a", Map.of()));
        BeirDataset data = new BeirDataset(corpus, queries, Map.of("train", Map.of("q", Map.of("a", 1))));
        BeirIo.write(data, dir.resolve("w"));
        assertEquals(data, BeirIo.read(dir.resolve("w")));
        BeirDataset badSplit = new BeirDataset(corpus, queries, Map.of("../x", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> BeirIo.write(badSplit, dir.resolve("w2")));
    }

    @Test
    void errorsNameFileLineAndField() throws Exception {
        Path d = dir.resolve("bad");
        writeSample(d);
        Files.writeString(d.resolve("qrels").resolve("test.tsv"), "query-id\tcorpus-id\tscore\nq1\td9\t1\n");
        assertBad(d, "test.tsv:2: field 'corpus-id' 'd9' is not in corpus.jsonl");
        Files.writeString(d.resolve("qrels").resolve("test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\thigh\n");
        assertBad(d, "test.tsv:2: field 'score' must be an integer");
        Files.writeString(d.resolve("qrels").resolve("test.tsv"), "q1 d1 1\n");
        assertBad(d, "test.tsv:1: needs 3 tab-separated columns");
        writeSample(d);
        Files.writeString(d.resolve("queries.jsonl"), "{\"_id\": \"q1\", \"text\": \"\"}\n");
        assertBad(d, "queries.jsonl:1: field 'text' is empty");
        Files.writeString(d.resolve("corpus.jsonl"), "{\"_id\": \"d1\", \"text\": \"x\"}\n{\"_id\": \"d1\", \"text\": \"y\"}\n");
        assertBad(d, "corpus.jsonl:2: field '_id' repeats document id 'd1'");
        Files.writeString(d.resolve("corpus.jsonl"), "{\"title\": \"x\"}\n");
        assertBad(d, "corpus.jsonl:1: field '_id' is missing");
        var e = assertThrows(IllegalArgumentException.class, () -> BeirIo.read(dir.resolve("nothing")));
        assertTrue(e.getMessage().contains("no corpus.jsonl"), e.getMessage());
    }

    private static void assertBad(Path d, String fragment) {
        var e = assertThrows(LmDataException.class, () -> BeirIo.read(d));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
