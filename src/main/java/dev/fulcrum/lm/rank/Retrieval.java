package dev.fulcrum.lm.rank;

import dev.fulcrum.lm.data.BeirDataset;
import dev.fulcrum.lm.data.BeirIo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One split of a BEIR dataset as a retrieval task: the corpus (ids and the text each retriever sees) and the judged
 * queries of the split, in file order, with helpers to rank and to score rankings.
 *
 * @param documentIds   corpus ids in file order
 * @param documentTexts the text of each document: its text, or its title when it has no text
 * @param queries       the split's queries that have judgements
 */
public record Retrieval(String name, List<String> documentIds, List<String> documentTexts, List<JudgedQuery> queries) {
    /** A query and its judgements (document id to grade). */
    public record JudgedQuery(String id, String text, Map<String, Integer> judgements) {
        /** The grades of every judged document (for the ideal DCG). */
        public int[] allGrades() {
            return judgements.values().stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Metrics averaged over queries. */
    public record Scores(int queries, double ndcg10, double recall10, double recall100, double mrr10) {
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("ndcg@10", ndcg10);
            m.put("recall@10", recall10);
            m.put("recall@100", recall100);
            m.put("mrr@10", mrr10);
            return m;
        }
    }

    public Retrieval {
        documentIds = List.copyOf(documentIds);
        documentTexts = List.copyOf(documentTexts);
        queries = List.copyOf(queries);
    }

    /** Reads {@code dir} (a BEIR folder) and picks {@code split}; {@code maxQueries > 0} keeps only the first ones. */
    public static Retrieval read(Path dir, String split, int maxQueries) {
        BeirDataset data = BeirIo.read(dir);
        Map<String, Map<String, Integer>> judged = data.qrels().get(split);
        if (judged == null) {
            throw new IllegalArgumentException(dir + ": no qrels/" + split + ".tsv (splits: " + data.qrels().keySet() + ")");
        }
        List<String> ids = new ArrayList<>(), texts = new ArrayList<>();
        data.corpus().values().forEach(d -> {
            ids.add(d.id());
            texts.add(d.text().isBlank() ? d.title() : d.text());
        });
        List<JudgedQuery> queries = new ArrayList<>();
        judged.forEach((q, j) -> {
            if (maxQueries <= 0 || queries.size() < maxQueries) {
                queries.add(new JudgedQuery(q, data.queries().get(q).text(), j));
            }
        });
        if (queries.isEmpty()) {
            throw new IllegalArgumentException(dir + ": qrels/" + split + ".tsv judges no query");
        }
        return new Retrieval(dir.getFileName() + "/" + split, ids, texts, queries);
    }

    /** The ids with the {@code k} highest scores, best first; ties keep index order. */
    static List<String> topIds(List<String> ids, double[] scores, int k) {
        return IntStream.range(0, ids.size()).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                .limit(k).map(ids::get).toList();
    }

    /** Scores rankings (best first, at least 100 long where the corpus allows) of every query, in query order. */
    public Scores evaluate(List<List<String>> rankings) {
        if (rankings.size() != queries.size()) {
            throw new IllegalArgumentException(rankings.size() + " rankings for " + queries.size() + " queries");
        }
        double ndcg = 0, r10 = 0, r100 = 0, mrr = 0;
        for (int i = 0; i < queries.size(); i++) {
            Map<String, Integer> j = queries.get(i).judgements();
            List<String> r = rankings.get(i);
            ndcg += RankingMetrics.ndcg(r, j, 10);
            r10 += RankingMetrics.recall(r, j, 10);
            r100 += RankingMetrics.recall(r, j, 100);
            mrr += RankingMetrics.reciprocalRank(r, j, 10);
        }
        int n = queries.size();
        return new Scores(n, ndcg / n, r10 / n, r100 / n, mrr / n);
    }

    /** nDCG@10 of each query's ranking, in query order (for paired, per-query comparisons). */
    public double[] perQueryNdcg10(List<List<String>> rankings) {
        if (rankings.size() != queries.size()) {
            throw new IllegalArgumentException(rankings.size() + " rankings for " + queries.size() + " queries");
        }
        double[] out = new double[queries.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = RankingMetrics.ndcg(rankings.get(i), queries.get(i).judgements(), 10);
        }
        return out;
    }

    /** BM25's rankings of every query (top 100). */
    public List<List<String>> bm25Rankings() {
        Bm25 bm25 = new Bm25(documentIds, documentTexts);
        return queries.stream().map(q -> bm25.top(q.text(), 100)).toList();
    }

    /** BM25's metrics (top 100 of every query). */
    public Scores evaluateBm25() {
        return evaluate(bm25Rankings());
    }
}
