package dev.fulcrum.lm.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns byte-level BPE merges from a corpus (Sennrich et al. 2016 with GPT-2's byte alphabet and pre-tokenizer).
 *
 * <p>The corpus is cut into pieces by {@link ByteLevel#SPLIT} and counted; every piece starts as its UTF-8 bytes. Each
 * step merges the most frequent adjacent pair of symbols over all pieces (weighted by piece counts; ties go to the pair
 * with the smaller ids, so training is deterministic) into a new token, until the vocabulary reaches the target size or no
 * pair occurs at least {@code minFrequency} times. Ids: bytes 0..255 (id = byte value), then merged tokens in the order
 * learned, then {@code <|bos|>}, {@code <|eos|>}, {@code <|pad|>}.
 */
public final class BpeTrainer {
    public static final int SPECIAL_COUNT = 3;
    private final int vocabSize;
    private final int minFrequency;

    /**
     * @param vocabSize    target vocabulary size including the 256 bytes and 3 special tokens
     * @param minFrequency a pair must occur at least this often to be merged (2 = never merge a pair seen once)
     */
    public BpeTrainer(int vocabSize, int minFrequency) {
        if (vocabSize < 256 + SPECIAL_COUNT) {
            throw new IllegalArgumentException("vocabulary size must be at least " + (256 + SPECIAL_COUNT)
                    + " (256 bytes + bos/eos/pad), got " + vocabSize);
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minimum pair frequency must be at least 1, got " + minFrequency);
        }
        this.vocabSize = vocabSize;
        this.minFrequency = minFrequency;
    }

    /** Trains on {@code texts} (each a document; no merge crosses documents or pre-tokenizer pieces). */
    public BpeTokenizer train(Iterable<String> texts) {
        Map<String, Integer> pieceCounts = new HashMap<>();
        for (String text : texts) {
            for (String piece : ByteLevel.split(text)) {
                pieceCounts.merge(ByteLevel.toAlphabet(piece), 1, Integer::sum);
            }
        }
        List<String> tokens = new ArrayList<>(); // id -> token in the byte alphabet
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            String t = String.valueOf(ByteLevel.charOf(b));
            tokens.add(t);
            ids.put(t, b);
        }
        // words in a fixed order (sorted) so that training does not depend on hash order
        List<String> words = new ArrayList<>(pieceCounts.keySet());
        words.sort(null);
        int[][] symbols = new int[words.size()][];
        long[] counts = new long[words.size()];
        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int w = 0; w < words.size(); w++) {
            String word = words.get(w);
            symbols[w] = new int[word.length()];
            for (int i = 0; i < word.length(); i++) {
                symbols[w][i] = ByteLevel.byteOf(word.charAt(i));
            }
            counts[w] = pieceCounts.get(word);
            addPairs(w, symbols[w], counts[w], pairCounts, where);
        }
        PriorityQueue<long[]> queue = new PriorityQueue<>(BpeTrainer::compareCandidates);
        for (var e : pairCounts.entrySet()) {
            queue.add(new long[] {e.getValue(), e.getKey()});
        }
        List<String[]> merges = new ArrayList<>();
        Set<Long> learned = new HashSet<>();
        int target = vocabSize - SPECIAL_COUNT;
        while (tokens.size() < target && !queue.isEmpty()) {
            long[] top = queue.poll();
            long pair = top[1];
            long current = pairCounts.getOrDefault(pair, 0L);
            if (current != top[0]) { // stale entry: re-queue with its current count
                if (current > 0) {
                    queue.add(new long[] {current, pair});
                }
                continue;
            }
            if (current < minFrequency) {
                break;
            }
            int left = (int) (pair >>> 32);
            int right = (int) pair;
            String merged = tokens.get(left) + tokens.get(right);
            Integer mergedId = ids.get(merged);
            if (mergedId == null) { // the same string can arise from two different splits; it keeps one id
                mergedId = tokens.size();
                tokens.add(merged);
                ids.put(merged, mergedId);
            }
            if (learned.add(pair)) { // a pair can re-form next to a re-used id; its first rank stands
                merges.add(new String[] {tokens.get(left), tokens.get(right)});
            }
            Set<Integer> affected = where.remove(pair); // may name words that no longer hold the pair: they are skipped
            pairCounts.remove(pair);
            Set<Long> touched = new HashSet<>();
            for (int w : affected.stream().sorted().toList()) {
                int[] before = symbols[w];
                int[] after = mergeAll(before, left, right, mergedId);
                if (after.length == before.length) {
                    continue;
                }
                addPairs(w, before, -counts[w], pairCounts, where);
                addPairs(w, after, counts[w], pairCounts, where);
                symbols[w] = after;
                collectPairs(after, touched);
            }
            touched.remove(pair);
            for (long p : touched) {
                long c = pairCounts.getOrDefault(p, 0L);
                if (c > 0) {
                    queue.add(new long[] {c, p});
                }
            }
        }
        List<TokenizerJson.AddedToken> added = List.of(
                new TokenizerJson.AddedToken(tokens.size(), BpeTokenizer.BOS_TOKEN, true),
                new TokenizerJson.AddedToken(tokens.size() + 1, BpeTokenizer.EOS_TOKEN, true),
                new TokenizerJson.AddedToken(tokens.size() + 2, BpeTokenizer.PAD_TOKEN, true));
        return new BpeTokenizer(ids, merges, added, false);
    }

    /** Higher count first; on ties the smaller (left, right) id pair first. */
    private static int compareCandidates(long[] a, long[] b) {
        int c = Long.compare(b[0], a[0]);
        return c != 0 ? c : Long.compare(a[1], b[1]);
    }

    /** Adds {@code weight} to the count of every adjacent pair of {@code s}; the word index only grows. */
    private static void addPairs(int word, int[] s, long weight, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> where) {
        for (int i = 0; i + 1 < s.length; i++) {
            long key = ((long) s[i] << 32) | (s[i + 1] & 0xFFFFFFFFL);
            long c = pairCounts.getOrDefault(key, 0L) + weight;
            if (c == 0) {
                pairCounts.remove(key);
            } else {
                pairCounts.put(key, c);
            }
            if (weight > 0) {
                where.computeIfAbsent(key, k -> new HashSet<>()).add(word);
            }
        }
    }

    private static void collectPairs(int[] s, Set<Long> out) {
        for (int i = 0; i + 1 < s.length; i++) {
            out.add(((long) s[i] << 32) | (s[i + 1] & 0xFFFFFFFFL));
        }
    }

    /** Replaces every non-overlapping occurrence of (left, right), left to right. */
    private static int[] mergeAll(int[] s, int left, int right, int merged) {
        int[] out = new int[s.length];
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = s[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
