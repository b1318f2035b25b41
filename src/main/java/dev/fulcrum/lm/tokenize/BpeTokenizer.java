package dev.fulcrum.lm.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as GPT-2 and Hugging Face's {@code tokenizers} do it, written and read as a {@code tokenizer.json}.
 *
 * <p>Encoding: the text is cut by {@link ByteLevel#SPLIT}; each piece's UTF-8 bytes start as one symbol each; then,
 * repeatedly, the adjacent pair with the lowest merge rank (leftmost on ties) is replaced by the merged token, until no
 * adjacent pair has a merge. This is the order in which Hugging Face's BPE model applies merges, so a file we write gives
 * the same ids under Hugging Face's implementation (checked by {@code BpeGoldenTest} through DJL).
 *
 * <p>One deliberate difference: special tokens ({@code added_tokens}) are never recognised inside input text here; a
 * literal {@code "<|eos|>"} in a prompt is encoded as ordinary bytes, so user text cannot inject control tokens and
 * {@code decode(encode(s)) == s} holds for every string. Hugging Face would match it as the special token.
 *
 * <p>Supported {@code tokenizer.json} subset (others: {@link HuggingFaceJsonTokenizer}): model {@code BPE} without dropout,
 * unknown token, subword prefix/suffix or byte fallback; no normalizer; {@code ByteLevel} pre-tokenizer with
 * {@code use_regex} on and {@code add_prefix_space} off (GPT-2's own file qualifies); special added tokens only.
 */
public final class BpeTokenizer implements Tokenizer {
    public static final String BOS_TOKEN = "<|bos|>";
    public static final String EOS_TOKEN = "<|eos|>";
    public static final String PAD_TOKEN = "<|pad|>";
    private static final int CACHE_LIMIT = 100_000;

    private final Map<String, Integer> vocab;
    private final List<String[]> merges;
    private final List<TokenizerJson.AddedToken> added;
    private final boolean ignoreMerges;
    private final int vocabSize;
    private final int[] byteToId = new int[256];
    private final byte[][] idToBytes;
    private final boolean[] skipOnDecode;
    private final boolean[] known;
    /** (left << 32 | right) -> (rank << 32 | merged id). */
    private final Map<Long, Long> mergeTable = new HashMap<>();
    private final SpecialTokens special;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab        model vocabulary: token (in the {@link ByteLevel} alphabet) to id; must hold all 256 byte tokens
     * @param merges       merge rules in rank order, each {left, right}; both parts and their concatenation in {@code vocab}
     * @param added        added tokens; all must be special (bos/eos/pad are found by name)
     * @param ignoreMerges Hugging Face's {@code ignore_merges}: a piece that is itself a vocabulary token is not split
     */
    BpeTokenizer(Map<String, Integer> vocab, List<String[]> merges, List<TokenizerJson.AddedToken> added, boolean ignoreMerges) {
        this.vocab = new LinkedHashMap<>(vocab);
        this.merges = List.copyOf(merges);
        this.added = List.copyOf(added);
        this.ignoreMerges = ignoreMerges;
        int max = -1;
        for (int id : vocab.values()) {
            if (id < 0) {
                throw new IllegalArgumentException("negative token id " + id + " in the vocabulary");
            }
            max = Math.max(max, id);
        }
        for (TokenizerJson.AddedToken t : added) {
            if (!t.special()) {
                throw new IllegalArgumentException("added token '" + t.content() + "' is not special; BpeTokenizer supports special "
                        + "added tokens only (open the file with HuggingFaceJsonTokenizer)");
            }
            max = Math.max(max, t.id());
        }
        vocabSize = max + 1;
        idToBytes = new byte[vocabSize][];
        skipOnDecode = new boolean[vocabSize];
        known = new boolean[vocabSize];
        for (var e : vocab.entrySet()) {
            byte[] bytes = ByteLevel.fromAlphabet(e.getKey());
            if (bytes == null) {
                throw new IllegalArgumentException("vocabulary token '" + e.getKey() + "' (id " + e.getValue()
                        + ") is not written in the byte-level alphabet");
            }
            idToBytes[e.getValue()] = bytes;
            known[e.getValue()] = true;
        }
        for (TokenizerJson.AddedToken t : added) {
            skipOnDecode[t.id()] = true;
            known[t.id()] = true;
        }
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw new IllegalArgumentException("the vocabulary lacks the token for byte " + b + " ('" + ByteLevel.charOf(b) + "')");
            }
            byteToId[b] = id;
        }
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer left = vocab.get(m[0]);
            Integer right = vocab.get(m[1]);
            Integer merged = vocab.get(m[0] + m[1]);
            if (left == null || right == null || merged == null) {
                throw new IllegalArgumentException("merge " + rank + " ('" + m[0] + "' '" + m[1] + "') uses a token missing from "
                        + "the vocabulary");
            }
            mergeTable.putIfAbsent(pairKey(left, right), ((long) rank << 32) | merged);
        }
        special = TokenizerJson.specials(added);
    }

    /** Reads a {@code tokenizer.json} in the supported subset (see the class comment); errors name the file and field. */
    public static BpeTokenizer load(Path file) {
        JsonNode root = TokenizerJson.read(file);
        JsonNode model = TokenizerJson.model(root, file);
        require(model.path("type").asText("BPE").equals("BPE"), file, "model.type is '" + model.path("type").asText()
                + "', not BPE");
        require(model.path("dropout").isNull() || model.path("dropout").isMissingNode(), file, "model.dropout must be null");
        require(blank(model.path("unk_token")), file, "model.unk_token must be null (byte-level BPE needs none)");
        require(blank(model.path("continuing_subword_prefix")), file, "model.continuing_subword_prefix must be null");
        require(blank(model.path("end_of_word_suffix")), file, "model.end_of_word_suffix must be null");
        require(!model.path("byte_fallback").asBoolean(false), file, "model.byte_fallback must be false");
        require(root.path("normalizer").isNull() || root.path("normalizer").isMissingNode(), file,
                "normalizer must be null, found " + root.path("normalizer").path("type").asText("?"));
        JsonNode pre = root.path("pre_tokenizer");
        require(pre.path("type").asText().equals("ByteLevel"), file, "pre_tokenizer must be ByteLevel, found "
                + (pre.isObject() ? pre.path("type").asText("?") : "none"));
        require(!pre.path("add_prefix_space").asBoolean(false), file, "pre_tokenizer.add_prefix_space must be false");
        require(pre.path("use_regex").asBoolean(true), file, "pre_tokenizer.use_regex must be true");
        JsonNode dec = root.path("decoder");
        require(dec.isNull() || dec.isMissingNode() || dec.path("type").asText().equals("ByteLevel"), file,
                "decoder must be ByteLevel, found " + dec.path("type").asText("?"));

        JsonNode vocabNode = model.path("vocab");
        require(vocabNode.isObject(), file, "model.vocab must be an object of token -> id");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (var e : vocabNode.properties()) {
            require(e.getValue().canConvertToInt(), file, "model.vocab['" + e.getKey() + "'] is not an integer id");
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        JsonNode mergesNode = model.path("merges");
        require(mergesNode.isArray(), file, "model.merges must be an array");
        List<String[]> merges = new ArrayList<>();
        for (int i = 0; i < mergesNode.size(); i++) {
            JsonNode m = mergesNode.get(i);
            String[] pair;
            if (m.isTextual()) {
                pair = m.asText().split(" ", -1);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                pair = new String[] {m.get(0).asText(), m.get(1).asText()};
            } else {
                pair = new String[0];
            }
            require(pair.length == 2, file, "model.merges[" + i + "] is not a pair of tokens");
            merges.add(pair);
        }
        try {
            return new BpeTokenizer(vocab, merges, TokenizerJson.addedTokens(root, file), model.path("ignore_merges").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static boolean blank(JsonNode n) {
        return n.isMissingNode() || n.isNull() || (n.isTextual() && n.asText().isEmpty());
    }

    private static void require(boolean ok, Path file, String message) {
        if (!ok) {
            throw new IllegalArgumentException(file + ": " + message);
        }
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /** Number of merge rules. */
    public int mergeCount() {
        return merges.size();
    }

    @Override
    public SpecialTokens special() {
        return special;
    }

    @Override
    public int[] encode(String text) {
        List<String> pieces = ByteLevel.split(text);
        int[][] parts = new int[pieces.size()][];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            String piece = pieces.get(i);
            int[] ids = cache.get(piece);
            if (ids == null) {
                ids = encodePiece(piece);
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(piece, ids);
            }
            parts[i] = ids;
            total += ids.length;
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private int[] encodePiece(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.toAlphabet(piece));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            symbols[i] = byteToId[bytes[i] & 0xFF];
        }
        int n = symbols.length;
        while (n > 1) {
            int best = -1;
            long bestRank = Long.MAX_VALUE;
            int bestId = -1;
            for (int i = 0; i + 1 < n; i++) {
                Long m = mergeTable.get(pairKey(symbols[i], symbols[i + 1]));
                if (m != null && (m >>> 32) < bestRank) {
                    bestRank = m >>> 32;
                    bestId = (int) (m & 0xFFFFFFFFL);
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            symbols[best] = bestId;
            System.arraycopy(symbols, best + 2, symbols, best + 1, n - best - 2);
            n--;
        }
        return Arrays.copyOf(symbols, n);
    }

    /** Ids back to text; special tokens are skipped and invalid UTF-8 (a cut generation) becomes U+FFFD. */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 3);
        for (int id : ids) {
            if (id < 0 || id >= vocabSize || !known[id]) {
                throw new IllegalArgumentException("token id " + id + " is not in this tokenizer's vocabulary (size " + vocabSize + ")");
            }
            if (!skipOnDecode[id]) {
                out.writeBytes(idToBytes[id]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The token string of {@code id}: byte-alphabet text for vocabulary tokens, the content for added tokens. */
    public String token(int id) {
        for (TokenizerJson.AddedToken t : added) {
            if (t.id() == id) {
                return t.content();
            }
        }
        if (id < 0 || id >= vocabSize || !known[id]) {
            throw new IllegalArgumentException("token id " + id + " is not in this tokenizer's vocabulary");
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : idToBytes[id]) {
            sb.append(ByteLevel.charOf(b));
        }
        return sb.toString();
    }

    /** The Hugging Face {@code tokenizer.json} document of this tokenizer. */
    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedNode = root.putArray("added_tokens");
        for (TokenizerJson.AddedToken t : added) {
            ObjectNode a = addedNode.addObject();
            a.put("id", t.id());
            a.put("content", t.content());
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", true);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", ignoreMerges);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> vocabNode.put(e.getKey(), e.getValue()));
        ArrayNode mergesNode = model.putArray("merges");
        for (String[] m : merges) {
            mergesNode.add(m[0] + " " + m[1]);
        }
        return root;
    }

    /** Writes {@code tokenizer.json} atomically. */
    public void save(Path file) {
        AtomicFiles.writeString(file, Json.pretty(toJson()) + "\n");
    }

    @Override
    public String toString() {
        return "bpe(vocab " + vocabSize + ", merges " + merges.size() + ")";
    }
}
