package dev.fulcrum.lm.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden check: a {@code tokenizer.json} written by our trainer, loaded by Hugging Face's own implementation (through
 * DJL, offline, native library from the jar), gives exactly our ids on a varied text set; and the file reads back into an
 * identical tokenizer.
 */
class BpeGoldenTest {
    @TempDir
    static Path dir;
    static BpeTokenizer ours;
    static Path file;

    static final List<String> TEXTS = List.of(
            "Ann has 7 apples and buys 15 more. How many apples does she have?",
            "reverse: kamoti -> itomak",
            "<call>calc(12*7+3)</call><result>87</result> Answer: 87",
            "don't we'll I'M they've she'd you're it's O'Neil's",
            "  leading spaces", "trailing spaces   ", "a    b\t\tc\n\nd \n e", "\n\n\n", " ", "\t", "x\r\ny",
            "digits 0 1 12 123 1234 12345 3.14159 1,000,000 2024-01-31 -42 +7",
            "Ünïcödé naïve café résumé Straße ÆØÅ", "日本語のテキスト 中文 한국어", "emoji 🙂🚀 👩‍👩‍👧 flags 🇳🇴",
            "Arabic مرحبا بالعالم and Hebrew שלום", "combining e\u0301 a\u0308 and NBSP\u00a0here and ideographic\u3000space",
            "punctuation!!! ??? ... --- ((())) [x] {y} <z> @#$%^&*", "mixed123abc ABC123 a1b2c3", "tabs\tand\u000bvertical\ffeed",
            "repeated aaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbb", "The the THE tHe", "");

    @BeforeAll
    static void train() {
        List<String> corpus = new ArrayList<>(TEXTS);
        Rng rng = new Rng(7);
        String[] syllables = {"ka", "mo", "ti", "ra", "ne", "lu", "so", "vi", "de", "pa", "gu", "ze"};
        for (int i = 0; i < 300; i++) {
            StringBuilder words = new StringBuilder();
            for (int w = 0; w < 8; w++) {
                for (int k = 1 + rng.nextInt(3); k > 0; k--) {
                    words.append(syllables[rng.nextInt(syllables.length)]);
                }
                words.append(w % 3 == 0 ? ", " : " ");
            }
            corpus.add(words.toString());
            corpus.add("Bob has " + rng.nextInt(100) + " pears and gives away " + rng.nextInt(50) + ". The answer is "
                    + rng.nextInt(1000) + ". sort: " + rng.nextInt(10) + " " + rng.nextInt(10) + " reverse: hello world   ");
        }
        ours = new BpeTrainer(700, 2).train(corpus);
        file = dir.resolve("tokenizer.json");
        ours.save(file);
    }

    static List<String> textSet() {
        List<String> texts = new ArrayList<>(TEXTS);
        Rng rng = new Rng(11);
        int[][] ranges = {{0x20, 0x7E}, {0x09, 0x0D}, {0xA0, 0x17F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x600, 0x6FF}, {0x3000, 0x30FF},
                {0x4E00, 0x4E80}, {0x1F300, 0x1F64F}, {0x2000, 0x206F}, {0x30, 0x39}};
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            int len = rng.nextInt(40);
            for (int j = 0; j < len; j++) {
                int[] r = ranges[rng.nextInt(ranges.length)];
                sb.appendCodePoint(r[0] + rng.nextInt(r[1] - r[0] + 1));
            }
            texts.add(sb.toString());
        }
        return texts;
    }

    @Test
    void huggingFaceGivesOurIds() {
        try (HuggingFaceJsonTokenizer hf = HuggingFaceJsonTokenizer.open(file)) {
            assertEquals(ours.vocabSize(), hf.vocabSize());
            assertEquals(ours.special(), hf.special());
            int compared = 0;
            for (String text : textSet()) {
                int[] mine = ours.encode(text);
                assertArrayEquals(hf.encode(text), mine, () -> "ids differ for " + escape(text));
                assertEquals(text, hf.decode(mine), () -> "Hugging Face decodes our ids of " + escape(text));
                compared++;
            }
            assertTrue(compared > 200);
        }
    }

    @Test
    void mergesAreUsed() {
        int[] ids = ours.encode("Bob has 12 pears and gives away 3. The answer is 15.");
        assertTrue(ids.length < "Bob has 12 pears and gives away 3. The answer is 15.".length() / 2,
                "trained merges shorten the text: " + ids.length + " tokens");
        assertEquals(700, ours.vocabSize());
        assertEquals(new Tokenizer.SpecialTokens(697, 698, 699), ours.special());
    }

    @Test
    void fileReadsBackIdentical() {
        BpeTokenizer back = BpeTokenizer.load(file);
        assertEquals(ours.toJson(), back.toJson());
        for (String text : textSet()) {
            assertArrayEquals(ours.encode(text), back.encode(text));
        }
    }

    @Test
    void decodeSkipsSpecials() {
        var s = ours.special();
        int[] body = ours.encode("hello");
        int[] withSpecials = new int[body.length + 3];
        withSpecials[0] = s.bos();
        System.arraycopy(body, 0, withSpecials, 1, body.length);
        withSpecials[body.length + 1] = s.eos();
        withSpecials[body.length + 2] = s.pad();
        assertEquals("hello", ours.decode(withSpecials));
        try (HuggingFaceJsonTokenizer hf = HuggingFaceJsonTokenizer.open(file)) {
            assertEquals("hello", hf.decode(withSpecials));
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : String.format("\\u{%x}", c)));
        return sb.append('"').toString();
    }
}
