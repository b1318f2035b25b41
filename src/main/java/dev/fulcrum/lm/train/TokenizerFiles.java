package dev.fulcrum.lm.train;

import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.lm.tokenize.BpeTokenizer;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.tokenize.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tokenizers of training runs and model directories. A run resolves its tokenizer once, writes it as
 * {@code RUN/tokenizer/tokenizer.json} (the byte tokenizer as its equivalent merge-free BPE, see
 * {@link ByteTokenizer#toBpe}), and ships that file with every exported model, so a model directory is complete.
 */
public final class TokenizerFiles {
    public static final String FILE = "tokenizer.json";

    private TokenizerFiles() {
    }

    /**
     * The tokenizer of a run: {@code spec} as {@link Tokenizers#open} reads it, or {@code auto}: the {@code tokenizer.json}
     * of {@code init} when the run starts from a model directory, otherwise bytes.
     */
    public static Tokenizer open(String spec, String init) {
        if (spec.equals("auto")) {
            if (init != null && !init.isBlank()) {
                return ofModel(Path.of(init));
            }
            return new ByteTokenizer();
        }
        return Tokenizers.open(spec);
    }

    /** The tokenizer shipped in a model directory (ours, or any Hugging Face tokenizer.json). */
    public static Tokenizer ofModel(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + ": no " + FILE + " in the model directory; pass --tokenizer");
        }
        try {
            return BpeTokenizer.load(file);
        } catch (IllegalArgumentException e) {
            return Tokenizers.open("hf:" + file);
        }
    }

    /** Writes {@code tokenizer} (opened from {@code spec}) as {@code dir/tokenizer.json}. */
    public static void write(Tokenizer tokenizer, String spec, String init, Path dir) {
        Path target = dir.resolve(FILE);
        switch (tokenizer) {
            case ByteTokenizer b -> b.toBpe().save(target);
            case BpeTokenizer b -> b.save(target);
            default -> {
                Path source = spec.equals("auto") ? Path.of(init).resolve(FILE) : Path.of(spec.substring(spec.indexOf(':') + 1));
                if (Files.isDirectory(source)) {
                    source = source.resolve(FILE);
                }
                try {
                    byte[] bytes = Files.readAllBytes(source);
                    AtomicFiles.write(target, out -> out.write(bytes));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot copy tokenizer " + source + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Closes tokenizers that hold native resources. */
    public static void close(Tokenizer tokenizer) {
        if (tokenizer instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close tokenizer: " + e.getMessage(), e);
            }
        }
    }
}
