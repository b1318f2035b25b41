package dev.fulcrum.lm.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Any Hugging Face {@code tokenizer.json} (BPE, WordPiece, Unigram, with normalizers and templates), through DJL's
 * binding of the Rust {@code tokenizers} library. The native library ships inside the DJL jar and is extracted from it;
 * nothing is downloaded ({@code ai.djl.offline} is set to true unless the caller set it).
 *
 * <p>To honour {@link Tokenizer}'s contract the tokenizer runs with {@code addSpecialTokens=false} (no template
 * bos/eos/cls), no truncation and no padding; {@link #decode} skips special tokens. The vocabulary size and bos/eos/pad
 * ids are read from the file (special tokens by their usual names: {@code <|bos|>}, {@code <s>}, {@code </s>},
 * {@code <|endoftext|>}, {@code [PAD]}, ...). Holds a native handle: {@link #close} it.
 */
public final class HuggingFaceJsonTokenizer implements Tokenizer, AutoCloseable {
    private final Path file;
    private final HuggingFaceTokenizer delegate;
    private final int vocabSize;
    private final SpecialTokens special;

    private HuggingFaceJsonTokenizer(Path file, HuggingFaceTokenizer tokenizer, int vocabSize, SpecialTokens special) {
        this.file = file;
        this.delegate = tokenizer;
        this.vocabSize = vocabSize;
        this.special = special;
    }

    /** Opens a {@code tokenizer.json} (or a folder holding one). */
    public static HuggingFaceJsonTokenizer open(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        var root = TokenizerJson.read(file);
        int vocabSize = TokenizerJson.vocabSize(root, file);
        SpecialTokens special = TokenizerJson.specials(TokenizerJson.addedTokens(root, file));
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(file,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            return new HuggingFaceJsonTokenizer(file, t, vocabSize, special);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": Hugging Face tokenizers rejected the file: " + e.getMessage(), e);
        }
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int[] encode(String text) {
        long[] ids = delegate.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + ids[i] + " is outside the vocabulary of " + file + " (size "
                        + vocabSize + ")");
            }
            longs[i] = ids[i];
        }
        return delegate.decode(longs, true);
    }

    @Override
    public SpecialTokens special() {
        return special;
    }

    /** The Rust library version DJL bundles. */
    public String nativeVersion() {
        return delegate.getVersion();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "huggingface(" + file + ")";
    }
}
