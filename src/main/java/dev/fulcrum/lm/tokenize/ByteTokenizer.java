package dev.fulcrum.lm.tokenize;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One token per UTF-8 byte: ids 0..255 are the byte values, then {@code <bos>} = 256, {@code <eos>} = 257 and
 * {@code <pad>} = 258. Needs no training and covers every text; sequences are longer than with BPE.
 */
public final class ByteTokenizer implements Tokenizer {
    public static final int BOS = 256;
    public static final int EOS = 257;
    public static final int PAD = 258;
    private static final SpecialTokens SPECIAL = new SpecialTokens(BOS, EOS, PAD);

    @Override
    public int vocabSize() {
        return 259;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    /** Bytes back to text; special ids are skipped and invalid UTF-8 (a cut generation) becomes U+FFFD. */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the byte vocabulary [0, " + vocabSize() + ")");
            }
            if (id < 256) {
                out.write(id);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public SpecialTokens special() {
        return SPECIAL;
    }

    /**
     * The same tokenizer as a byte-level BPE without merges: byte {@code b}'s token has id {@code b}, then
     * {@code <|bos|>}, {@code <|eos|>}, {@code <|pad|>} are 256, 257, 258. It encodes every text to the same ids, and its
     * {@code tokenizer.json} ({@link BpeTokenizer#save}) is what a model directory trained on bytes ships, readable by
     * {@link BpeTokenizer#load} and by Hugging Face's tokenizers.
     */
    public BpeTokenizer toBpe() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevel.charOf(b)), b);
        }
        return new BpeTokenizer(vocab, List.of(), List.of(new TokenizerJson.AddedToken(BOS, BpeTokenizer.BOS_TOKEN, true),
                new TokenizerJson.AddedToken(EOS, BpeTokenizer.EOS_TOKEN, true),
                new TokenizerJson.AddedToken(PAD, BpeTokenizer.PAD_TOKEN, true)), false);
    }

    @Override
    public String toString() {
        return "bytes";
    }
}
