package dev.fulcrum.lm.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.rng.Rng;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte and BPE tokenizers: exact round trips for arbitrary text, the byte alphabet, training, file errors, the factory. */
class TokenizerTest {
    @TempDir
    Path dir;

    /** Random valid strings over the whole code-point range (no lone surrogates), weighted towards ASCII and spaces. */
    static List<String> arbitraryTexts(int n, long seed) {
        Rng rng = new Rng(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int len = rng.nextInt(30);
            for (int j = 0; j < len; j++) {
                int cp = switch (rng.nextInt(4)) {
                    case 0 -> 0x20 + rng.nextInt(0x5F);
                    case 1 -> " \t\n\u00a0\u3000".charAt(rng.nextInt(5));
                    case 2 -> rng.nextInt(0x800);
                    default -> rng.nextInt(0x110000);
                };
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    cp = 'x';
                }
                sb.appendCodePoint(cp);
            }
            out.add(sb.toString());
        }
        return out;
    }

    static BpeTokenizer small() {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            corpus.add("the cat sat on the mat " + i + " times, then the cat ate " + (i * 7) + " fish.");
        }
        return new BpeTrainer(300, 2).train(corpus);
    }

    @Test
    void byteAlphabetIsGpt2s() {
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('!', ByteLevel.charOf('!'));
        assertEquals('Ā', ByteLevel.charOf(0));
        assertEquals('Ń', ByteLevel.charOf(0xAD)); // the 68th and last remapped byte: U+0100 + 67
        for (int b = 0; b < 256; b++) {
            assertEquals(b, ByteLevel.byteOf(ByteLevel.charOf(b)));
        }
        assertEquals(List.of("Hello", ",", " world", "'s", "  ", " 123", "!!", "\n"), ByteLevel.split("Hello, world's   123!!\n"));
    }

    @Test
    void byteTokenizerRoundTrips() {
        ByteTokenizer t = new ByteTokenizer();
        for (String s : arbitraryTexts(500, 1)) {
            int[] ids = t.encode(s);
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, ids.length);
            assertEquals(s, t.decode(ids));
        }
        assertEquals("ab", t.decode(new int[] {ByteTokenizer.BOS, 'a', 'b', ByteTokenizer.EOS, ByteTokenizer.PAD}));
        assertEquals("\uFFFD", t.decode(new int[] {0xE2, 0x82})); // a cut character decodes to U+FFFD, not an exception
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {259}));
    }

    @Test
    void bpeRoundTripsArbitraryText() {
        BpeTokenizer t = small();
        for (String s : arbitraryTexts(1000, 2)) {
            int[] ids = t.encode(s);
            for (int id : ids) {
                assertTrue(id >= 0 && id < t.vocabSize() && id != t.special().bos() && id != t.special().eos());
            }
            assertEquals(s, t.decode(ids), () -> BpeGoldenTest.escape(s));
        }
        String injected = "say <|eos|> now";
        assertEquals(injected, t.decode(t.encode(injected)), "special-token text in input stays plain text");
    }

    @Test
    void trainingIsDeterministicAndCompresses() {
        BpeTokenizer a = small(), b = small();
        assertEquals(a.toJson(), b.toJson());
        assertEquals(300, a.vocabSize());
        assertEquals(300 - 256 - 3, a.mergeCount());
        String text = "the cat sat on the mat";
        assertTrue(a.encode(text).length <= 8, "frequent words become single tokens: " + a.encode(text).length);
        assertEquals(" cat", a.decode(new int[] {a.encode(" cat")[0]}));
    }

    @Test
    void trainerStopsWhenPairsRunOut() {
        BpeTokenizer t = new BpeTrainer(5000, 2).train(List.of("abab abab"));
        assertTrue(t.vocabSize() < 5000 && t.vocabSize() >= 259);
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(100, 2));
    }

    @Test
    void loadRejectsWhatItCannotReproduce() throws Exception {
        Path f = dir.resolve("tokenizer.json");
        small().save(f);
        String json = Files.readString(f);
        AtomicFiles.writeString(f, json.replace("\"normalizer\" : null", "\"normalizer\" : {\"type\" : \"NFC\"}"));
        var e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.load(f));
        assertTrue(e.getMessage().contains("normalizer") && e.getMessage().contains(f.toString()), e.getMessage());
        AtomicFiles.writeString(f, "{ not json");
        e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.load(f));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.load(dir.resolve("missing.json")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    /** Newer tokenizer.json files write merges as [left, right] arrays; both readers accept them. */
    @Test
    void mergesMayBeArrays() throws Exception {
        BpeTokenizer t = small();
        var json = t.toJson();
        var merges = (com.fasterxml.jackson.databind.node.ArrayNode) json.get("model").get("merges");
        for (int i = 0; i < merges.size(); i++) {
            String[] pair = merges.get(i).asText().split(" ");
            merges.set(i, dev.fulcrum.core.io.Json.MAPPER.createArrayNode().add(pair[0]).add(pair[1]));
        }
        Path f = dir.resolve("arrays.json");
        AtomicFiles.writeString(f, dev.fulcrum.core.io.Json.pretty(json));
        BpeTokenizer back = BpeTokenizer.load(f);
        try (HuggingFaceJsonTokenizer hf = HuggingFaceJsonTokenizer.open(f)) {
            for (String s : arbitraryTexts(100, 4)) {
                assertArrayEquals(t.encode(s), back.encode(s));
                assertArrayEquals(t.encode(s), hf.encode(s));
            }
        }
    }

    @Test
    void factoryOpensEachKind() throws Exception {
        assertInstanceOf(ByteTokenizer.class, Tokenizers.open("bytes"));
        Path f = dir.resolve("tok").resolve("tokenizer.json");
        BpeTokenizer t = small();
        t.save(f);
        Tokenizer fromDir = Tokenizers.open(f.getParent().toString());
        assertArrayEquals(t.encode("the cat"), fromDir.encode("the cat"));
        Tokenizer hf = Tokenizers.open("hf:" + f);
        try (var closeable = (HuggingFaceJsonTokenizer) hf) {
            assertArrayEquals(t.encode("the cat"), closeable.encode("the cat"));
        }
    }

    /** A WordLevel tokenizer with a whitespace pre-tokenizer: outside our BPE's subset, read through DJL. */
    @Test
    void huggingFaceAdapterReadsOtherModels() throws Exception {
        Path f = dir.resolve("wordlevel.json");
        AtomicFiles.writeString(f, """
                {"version":"1.0","truncation":null,"padding":null,
                 "added_tokens":[{"id":0,"content":"[PAD]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                                 {"id":1,"content":"[UNK]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
                 "normalizer":{"type":"Lowercase"},"pre_tokenizer":{"type":"Whitespace"},"post_processor":null,"decoder":null,
                 "model":{"type":"WordLevel","vocab":{"[PAD]":0,"[UNK]":1,"the":2,"cat":3,"sat":4},"unk_token":"[UNK]"}}
                """);
        try (HuggingFaceJsonTokenizer t = HuggingFaceJsonTokenizer.open(f)) {
            assertArrayEquals(new int[] {2, 3, 4, 1}, t.encode("The CAT sat down"));
            assertEquals(5, t.vocabSize());
            assertEquals(new Tokenizer.SpecialTokens(-1, -1, 0), t.special());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.load(f));
        assertTrue(e.getMessage().contains("WordLevel"), e.getMessage());

        Path broken = dir.resolve("broken.json");
        AtomicFiles.writeString(broken, "{\"model\": {\"type\": \"Nope\", \"vocab\": {\"a\": 0}}}");
        e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceJsonTokenizer.open(broken));
        assertTrue(e.getMessage().startsWith(broken + ": Hugging Face tokenizers rejected the file"), e.getMessage());
    }
}
