package dev.fulcrum.lm.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A retrieval dataset in BEIR's layout: documents, queries, and graded relevance judgements per split.
 *
 * @param corpus  document id to document
 * @param queries query id to query
 * @param qrels   split name (e.g. "test") to query id to document id to relevance grade
 */
public record BeirDataset(Map<String, Document> corpus, Map<String, Query> queries,
                          Map<String, Map<String, Map<String, Integer>>> qrels) {
    public BeirDataset {
        corpus = Collections.unmodifiableMap(new LinkedHashMap<>(corpus));
        queries = Collections.unmodifiableMap(new LinkedHashMap<>(queries));
        Map<String, Map<String, Map<String, Integer>>> q = new LinkedHashMap<>();
        qrels.forEach((split, byQuery) -> {
            Map<String, Map<String, Integer>> m = new LinkedHashMap<>();
            byQuery.forEach((query, docs) -> m.put(query, Collections.unmodifiableMap(new LinkedHashMap<>(docs))));
            q.put(split, Collections.unmodifiableMap(m));
        });
        qrels = Collections.unmodifiableMap(q);
    }

    /** A line of {@code corpus.jsonl}: {@code {"_id", "title", "text", "metadata"}}. */
    public record Document(String id, String title, String text, Map<String, JsonNode> metadata) {
        public Document {
            metadata = Jsonl.canonical(metadata);
        }
    }

    /** A line of {@code queries.jsonl}: {@code {"_id", "text", "metadata"}}. */
    public record Query(String id, String text, Map<String, JsonNode> metadata) {
        public Query {
            metadata = Jsonl.canonical(metadata);
        }
    }
}
