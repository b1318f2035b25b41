package dev.fulcrum.lm.tokenize;

import java.nio.file.Path;

/**
 * Opens a tokenizer from a short specification, the form used on the command line and in configurations:
 * <ul>
 *   <li>{@code bytes}: {@link ByteTokenizer};</li>
 *   <li>{@code PATH} (a {@code tokenizer.json} or a folder holding one): {@link BpeTokenizer}, for files our trainer writes
 *       and others in its subset (GPT-2's);</li>
 *   <li>{@code hf:PATH}: {@link HuggingFaceJsonTokenizer}, for any Hugging Face tokenizer (close it when done).</li>
 * </ul>
 */
public final class Tokenizers {
    private Tokenizers() {
    }

    public static Tokenizer open(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no tokenizer given: use 'bytes', a tokenizer.json path, or hf:PATH");
        }
        if (spec.equals("bytes")) {
            return new ByteTokenizer();
        }
        if (spec.startsWith("hf:")) {
            return HuggingFaceJsonTokenizer.open(Path.of(spec.substring(3)));
        }
        Path path = Path.of(spec);
        if (java.nio.file.Files.isDirectory(path)) {
            path = path.resolve("tokenizer.json");
        }
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new IllegalArgumentException("tokenizer file not found: " + path);
        }
        try {
            return BpeTokenizer.load(path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (to open any Hugging Face tokenizer use hf:" + spec + ")", e);
        }
    }
}
