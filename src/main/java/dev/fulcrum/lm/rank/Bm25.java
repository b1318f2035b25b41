package dev.fulcrum.lm.rank;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Okapi BM25 (Robertson and Zaragoza 2009) over lower-cased alphanumeric words, with Lucene's idf
 * {@code log(1 + (N - df + 0.5) / (df + 0.5))} and Pyserini's defaults {@code k1 = 0.9, b = 0.4}:
 * <pre>
 *   score(q, d) = sum_{t in q} idf(t) * tf(t, d) (k1 + 1) / (tf(t, d) + k1 (1 - b + b |d| / avgdl))
 * </pre>
 * The lexical first stage: the candidate sets PG-Rank re-ranks during training and the hard negatives of the contrastive
 * warm start come from it, and it is the reference row of the experiment.
 */
public final class Bm25 {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    private static final double K1 = 0.9;
    private static final double B = 0.4;
    private final List<String> ids;
    private final List<Map<String, Integer>> termFrequencies = new ArrayList<>();
    private final int[] lengths;
    private final Map<String, Integer> documentFrequency = new HashMap<>();
    private final double averageLength;

    /** An index of documents {@code ids} with texts {@code texts} (same order). */
    public Bm25(List<String> ids, List<String> texts) {
        if (ids.size() != texts.size()) {
            throw new IllegalArgumentException("one text per id: " + texts.size() + " texts for " + ids.size() + " ids");
        }
        this.ids = List.copyOf(ids);
        this.lengths = new int[ids.size()];
        long total = 0;
        for (int i = 0; i < texts.size(); i++) {
            List<String> words = words(texts.get(i));
            Map<String, Integer> tf = new HashMap<>();
            words.forEach(w -> tf.merge(w, 1, Integer::sum));
            tf.keySet().forEach(w -> documentFrequency.merge(w, 1, Integer::sum));
            termFrequencies.add(tf);
            lengths[i] = words.size();
            total += words.size();
        }
        this.averageLength = ids.isEmpty() ? 0 : (double) total / ids.size();
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** BM25 scores of every document (index order) for {@code query}. */
    public double[] scores(String query) {
        double[] s = new double[ids.size()];
        int n = ids.size();
        for (String t : words(query)) {
            Integer df = documentFrequency.get(t);
            if (df == null) {
                continue;
            }
            double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
            for (int d = 0; d < n; d++) {
                Integer tf = termFrequencies.get(d).get(t);
                if (tf != null) {
                    s[d] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[d] / averageLength));
                }
            }
        }
        return s;
    }

    /** The ids of the {@code k} best documents for {@code query}, best first (ties broken by index order). */
    public List<String> top(String query, int k) {
        return Retrieval.topIds(ids, scores(query), k);
    }
}
