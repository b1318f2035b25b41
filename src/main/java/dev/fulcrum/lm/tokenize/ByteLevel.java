package dev.fulcrum.lm.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level scheme, as Hugging Face's {@code ByteLevel} pre-tokenizer and decoder implement it.
 *
 * <p><b>Byte alphabet.</b> Every byte gets a printable Unicode character: the bytes {@code '!'..'~'}, {@code 0xA1..0xAC}
 * and {@code 0xAE..0xFF} stand for themselves; the remaining 68 bytes (controls, space, DEL, NBSP, soft hyphen...) map in
 * order to U+0100, U+0101, ... (so a space is {@code 'Ġ'}, U+0120). Token strings are written in this alphabet in
 * {@code tokenizer.json}, which is why no token ever contains a real space.
 *
 * <p><b>Pre-tokenizer.</b> Text is first cut into pieces by GPT-2's pattern
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}: contractions, runs of letters,
 * digits or other symbols with at most one leading space, and whitespace runs (a run followed by a word leaves its last
 * space to that word). {@code \s} is Unicode white space, as in Hugging Face's (Oniguruma) regex. BPE merges never cross
 * a piece boundary.
 */
public final class ByteLevel {
    /** GPT-2's split pattern (Hugging Face {@code ByteLevel} with {@code use_regex = true}). */
    public static final Pattern SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[324];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** The alphabet character that stands for byte {@code b} (0..255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte an alphabet character stands for, or -1 if {@code c} is not in the alphabet. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The UTF-8 bytes of {@code text} written in the byte alphabet. */
    public static String toAlphabet(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** The bytes a token written in the byte alphabet stands for; {@code null} if it has a character outside it. */
    public static byte[] fromAlphabet(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }

    /** The pre-tokenizer's pieces of {@code text}, in order; their concatenation is {@code text}. */
    public static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() > end) {
                pieces.add(text.substring(end, m.start())); // never happens with this pattern; kept so nothing is lost
            }
            pieces.add(m.group());
            end = m.end();
        }
        if (end < text.length()) {
            pieces.add(text.substring(end));
        }
        return pieces;
    }
}
