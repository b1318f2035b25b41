package dev.fulcrum.lm.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * BEIR's on-disk layout:
 * <pre>
 *   DIR/corpus.jsonl         {"_id": "d1", "title": "...", "text": "...", "metadata": {...}}   title and metadata optional
 *   DIR/queries.jsonl        {"_id": "q1", "text": "...", "metadata": {...}}
 *   DIR/qrels/SPLIT.tsv      header "query-id\tcorpus-id\tscore", then one judgement per line (integer grade)
 * </pre>
 * Ids may be JSON strings or numbers (read as their text). Reading checks that ids are unique, that every document has a
 * title or text, and that every judgement names a known query and document; errors name the file, line and field.
 */
public final class BeirIo {
    private static final String HEADER = "query-id\tcorpus-id\tscore";

    private BeirIo() {
    }

    /** Reads the corpus, the queries and every split found under {@code qrels/}. */
    public static BeirDataset read(Path dir) {
        Path corpusFile = dir.resolve("corpus.jsonl"), queriesFile = dir.resolve("queries.jsonl");
        if (!Files.isRegularFile(corpusFile)) {
            throw new IllegalArgumentException("not a BEIR dataset folder (no corpus.jsonl): " + dir);
        }
        Map<String, BeirDataset.Document> corpus = new LinkedHashMap<>();
        for (Jsonl.Row row : Jsonl.read(corpusFile)) {
            String id = id(row);
            String title = row.has("title") ? row.string("title", false) : "";
            String text = row.has("text") ? row.string("text", false) : "";
            if (title.isBlank() && text.isBlank()) {
                throw row.error("text", "is empty (and there is no title)");
            }
            if (corpus.put(id, new BeirDataset.Document(id, title, text, metadata(row))) != null) {
                throw row.error("_id", "repeats document id '" + id + "'");
            }
        }
        Map<String, BeirDataset.Query> queries = new LinkedHashMap<>();
        if (!Files.isRegularFile(queriesFile)) {
            throw new IllegalArgumentException("BEIR dataset " + dir + " has no queries.jsonl");
        }
        for (Jsonl.Row row : Jsonl.read(queriesFile)) {
            String id = id(row);
            if (queries.put(id, new BeirDataset.Query(id, row.string("text", true), metadata(row))) != null) {
                throw row.error("_id", "repeats query id '" + id + "'");
            }
        }
        Map<String, Map<String, Map<String, Integer>>> qrels = new LinkedHashMap<>();
        Path qrelsDir = dir.resolve("qrels");
        if (Files.isDirectory(qrelsDir)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(qrelsDir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".tsv")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + qrelsDir + ": " + e.getMessage(), e);
            }
            for (Path f : files) {
                String split = f.getFileName().toString().replaceFirst("\\.tsv$", "");
                qrels.put(split, readQrels(f, corpus, queries));
            }
        }
        return new BeirDataset(corpus, queries, qrels);
    }

    private static String id(Jsonl.Row row) {
        JsonNode v = row.node().get("_id");
        if (v == null || v.isNull()) {
            throw row.error("_id", "is missing");
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw row.error("_id", "must be a string or an integer, got " + Jsonl.kind(v));
        }
        if (v.asText().isBlank()) {
            throw row.error("_id", "is empty");
        }
        return v.asText();
    }

    private static Map<String, JsonNode> metadata(Jsonl.Row row) {
        JsonNode m = row.node().get("metadata");
        if (m == null || m.isNull()) {
            return Map.of();
        }
        if (!m.isObject()) {
            throw row.error("metadata", "must be an object, got " + Jsonl.kind(m));
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        m.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static Map<String, Map<String, Integer>> readQrels(Path file, Map<String, BeirDataset.Document> corpus,
                                                               Map<String, BeirDataset.Query> queries) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("qrels file not found: " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int line = i + 1;
            String text = lines.get(i);
            if (text.isBlank() || (i == 0 && text.strip().equals(HEADER))) {
                continue;
            }
            String[] cols = text.split("\t", -1);
            if (cols.length != 3) {
                throw new LmDataException(file, line, null, "needs 3 tab-separated columns (query-id, corpus-id, score), got "
                        + cols.length);
            }
            String query = cols[0].strip(), doc = cols[1].strip();
            int score;
            try {
                score = Integer.parseInt(cols[2].strip());
            } catch (NumberFormatException e) {
                throw new LmDataException(file, line, "score", "must be an integer, got '" + cols[2] + "'");
            }
            if (!queries.containsKey(query)) {
                throw new LmDataException(file, line, "query-id", "'" + query + "' is not in queries.jsonl");
            }
            if (!corpus.containsKey(doc)) {
                throw new LmDataException(file, line, "corpus-id", "'" + doc + "' is not in corpus.jsonl");
            }
            out.computeIfAbsent(query, q -> new LinkedHashMap<>()).put(doc, score);
        }
        return out;
    }

    /** Writes the three parts, each file atomically. */
    public static void write(BeirDataset data, Path dir) {
        List<ObjectNode> docs = new ArrayList<>();
        for (BeirDataset.Document d : data.corpus().values()) {
            ObjectNode row = Json.MAPPER.createObjectNode().put("_id", d.id()).put("title", d.title()).put("text", d.text());
            if (!d.metadata().isEmpty()) {
                row.putObject("metadata").setAll(d.metadata());
            }
            docs.add(row);
        }
        List<ObjectNode> queries = new ArrayList<>();
        for (BeirDataset.Query q : data.queries().values()) {
            ObjectNode row = Json.MAPPER.createObjectNode().put("_id", q.id()).put("text", q.text());
            if (!q.metadata().isEmpty()) {
                row.putObject("metadata").setAll(q.metadata());
            }
            queries.add(row);
        }
        Jsonl.write(dir.resolve("corpus.jsonl"), docs);
        Jsonl.write(dir.resolve("queries.jsonl"), queries);
        data.qrels().forEach((split, byQuery) -> {
            if (!split.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("qrels split name '" + split + "' is not a plain file name");
            }
            StringBuilder sb = new StringBuilder(HEADER).append('\n');
            byQuery.forEach((query, docsOf) -> docsOf.forEach((doc, score) -> {
                if (query.matches(".*[\t\r\n].*") || doc.matches(".*[\t\r\n].*")) {
                    throw new IllegalArgumentException("qrels ids may not hold tabs or line breaks: '" + query + "', '" + doc + "'");
                }
                sb.append(query).append('\t').append(doc).append('\t').append(score).append('\n');
            }));
            AtomicFiles.writeString(dir.resolve("qrels").resolve(split + ".tsv"), sb.toString());
        });
    }
}
