package dev.fulcrum.lm.tokenize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading the parts of a Hugging Face {@code tokenizer.json} that Fulcrum needs: the model's vocabulary and added tokens. */
final class TokenizerJson {
    /** Names looked for, in order, when a foreign file's special tokens are resolved. */
    private static final List<String> BOS_NAMES = List.of(BpeTokenizer.BOS_TOKEN, "<s>", "<|begin_of_text|>", "<bos>", "[CLS]",
            "<|endoftext|>");
    private static final List<String> EOS_NAMES = List.of(BpeTokenizer.EOS_TOKEN, "</s>", "<|end_of_text|>", "<eos>", "[SEP]",
            "<|endoftext|>");
    private static final List<String> PAD_NAMES = List.of(BpeTokenizer.PAD_TOKEN, "<pad>", "[PAD]", "<|finetune_right_pad_id|>");

    /** One entry of {@code added_tokens}. */
    record AddedToken(int id, String content, boolean special) {
    }

    private TokenizerJson() {
    }

    static JsonNode read(Path file) {
        try {
            return Json.MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("tokenizer file not found: " + file);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode model(JsonNode root, Path file) {
        JsonNode model = root.path("model");
        if (!model.isObject()) {
            throw new IllegalArgumentException(file + ": field 'model' is missing; not a Hugging Face tokenizer.json");
        }
        return model;
    }

    static List<AddedToken> addedTokens(JsonNode root, Path file) {
        List<AddedToken> out = new ArrayList<>();
        JsonNode added = root.path("added_tokens");
        if (added.isMissingNode() || added.isNull()) {
            return out;
        }
        if (!added.isArray()) {
            throw new IllegalArgumentException(file + ": field 'added_tokens' must be an array");
        }
        for (int i = 0; i < added.size(); i++) {
            JsonNode t = added.get(i);
            if (!t.path("id").canConvertToInt() || !t.path("content").isTextual()) {
                throw new IllegalArgumentException(file + ": added_tokens[" + i + "] needs an integer 'id' and a string 'content'");
            }
            out.add(new AddedToken(t.get("id").asInt(), t.get("content").asText(), t.path("special").asBoolean(false)));
        }
        return out;
    }

    /** One past the largest id of the model's vocabulary and the added tokens. */
    static int vocabSize(JsonNode root, Path file) {
        JsonNode vocab = model(root, file).path("vocab");
        int max = -1;
        if (vocab.isObject()) {
            for (var e : vocab.properties()) {
                if (!e.getValue().canConvertToInt()) {
                    throw new IllegalArgumentException(file + ": model.vocab['" + e.getKey() + "'] is not an integer id");
                }
                max = Math.max(max, e.getValue().asInt());
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], ids are positions
            max = vocab.size() - 1;
        } else {
            throw new IllegalArgumentException(file + ": field 'model.vocab' is missing");
        }
        for (AddedToken t : addedTokens(root, file)) {
            max = Math.max(max, t.id());
        }
        return max + 1;
    }

    /** bos/eos/pad among the added tokens, found by their usual names; -1 where a file has none. */
    static Tokenizer.SpecialTokens specials(List<AddedToken> added) {
        return new Tokenizer.SpecialTokens(find(added, BOS_NAMES), find(added, EOS_NAMES), find(added, PAD_NAMES));
    }

    private static int find(List<AddedToken> added, List<String> names) {
        for (String name : names) {
            for (AddedToken t : added) {
                if (t.content().equals(name)) {
                    return t.id();
                }
            }
        }
        return -1;
    }
}
