package dev.fulcrum.lm.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.ParameterLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Hugging Face model directory: {@code config.json}, the weights in {@code model.safetensors} (or shards listed by
 * {@code model.safetensors.index.json}), and the tokenizer's files.
 *
 * <p>Load reads F32, F16, BF16 or F64 tensors one at a time and converts them to the model's type. GPT-2 tensors may
 * carry the {@code transformer.} prefix or not (checkpoints saved from {@code GPT2Model} omit it); the attention-mask
 * buffers of old GPT-2 files ({@code attn.bias}, {@code attn.masked_bias}), Llama's {@code rotary_emb.inv_freq}, and a
 * tied head's {@code lm_head.weight} are ignored; any other unknown tensor is an error (a different architecture).
 *
 * <p>Save writes {@code model.safetensors} (the model's type, head omitted when tied, as Hugging Face does),
 * {@code config.json}, and copies the tokenizer files of a source directory. A new directory appears whole (written
 * beside it, then renamed); into an existing one each file is replaced atomically, weights before config. A
 * {@code model.safetensors} takes precedence over shards when both are present.
 */
public final class HfCheckpoint {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    /** Files copied along with the weights when present: the tokenizer's, and generation defaults. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt", "tokenizer.model",
            "generation_config.json");

    private HfCheckpoint() {
    }

    /** The configuration of a model directory, without loading weights. */
    public static LmConfig config(Path dir) {
        return HfConfig.read(dir.resolve(CONFIG));
    }

    /** Loads the model of {@code dir} into {@code manager} (outside any scope), computing in {@code dtype}. */
    public static DecoderLm load(Path dir, NDManager manager, DataType dtype) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a model directory: " + dir);
        }
        LmConfig config = config(dir);
        List<Safetensors.Reader> readers = openWeights(dir);
        try {
            Map<String, Safetensors.Reader> where = new LinkedHashMap<>();
            for (Safetensors.Reader r : readers) {
                for (String name : r.names()) {
                    Safetensors.Reader previous = where.put(name, r);
                    if (previous != null && previous != r) {
                        throw new IllegalArgumentException(dir + ": tensor '" + name + "' appears in both "
                                + previous.file().getFileName() + " and " + r.file().getFileName());
                    }
                }
            }
            Map<String, String> stored = new LinkedHashMap<>(); // parameter name -> stored name
            List<String> missing = new ArrayList<>();
            for (String name : ParameterLayout.of(config).keySet()) {
                String found = storedName(config, name, where);
                if (found == null) {
                    missing.add(name);
                } else {
                    stored.put(name, found);
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(dir + ": missing tensors " + preview(missing));
            }
            List<String> unexpected = where.keySet().stream()
                    .filter(n -> !stored.containsValue(n) && !ignorable(config, n)).toList();
            if (!unexpected.isEmpty()) {
                throw new IllegalArgumentException(dir + ": unexpected tensors " + preview(unexpected)
                        + " (does config.json describe these weights?)");
            }
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            try {
                stored.forEach((name, s) -> {
                    Safetensors.Reader r = where.get(s);
                    try {
                        tensors.put(name, r.tensor(s).toNDArray(manager, dtype));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(r.file() + ": tensor '" + s + "': " + e.getMessage(), e);
                    }
                });
                return DecoderLm.fromTensors(manager, config, dtype, tensors);
            } catch (RuntimeException e) {
                tensors.values().forEach(NDArray::close);
                throw e instanceof IllegalArgumentException && !e.getMessage().startsWith(dir.toString())
                        ? new IllegalArgumentException(dir + ": " + e.getMessage(), e) : e;
            }
        } finally {
            readers.forEach(Safetensors.Reader::close);
        }
    }

    private static List<Safetensors.Reader> openWeights(Path dir) {
        Path single = dir.resolve(WEIGHTS);
        if (Files.isRegularFile(single)) {
            return List.of(Safetensors.open(single));
        }
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new IllegalArgumentException(dir + ": neither " + WEIGHTS + " nor " + INDEX
                    + " found (only safetensors weights are supported)");
        }
        JsonNode map;
        try {
            map = Json.COMPACT.readTree(Files.readString(index)).path("weight_map");
        } catch (IOException e) {
            throw new IllegalArgumentException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new IllegalArgumentException(index + ": field 'weight_map' is missing or empty");
        }
        List<String> shards = new ArrayList<>();
        map.fields().forEachRemaining(e -> {
            String shard = e.getValue().asText();
            if (!e.getValue().isTextual() || shard.contains("/") || shard.contains("\\")) {
                throw new IllegalArgumentException(index + ": field 'weight_map." + e.getKey() + "' must name a shard file"
                        + " in the same folder, got " + e.getValue());
            }
            if (!shards.contains(shard)) {
                shards.add(shard);
            }
        });
        List<Safetensors.Reader> readers = new ArrayList<>();
        try {
            for (String shard : shards) {
                Path p = dir.resolve(shard);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException(index + ": shard " + shard + " is listed but missing");
                }
                readers.add(Safetensors.open(p));
            }
        } catch (RuntimeException e) {
            readers.forEach(Safetensors.Reader::close);
            throw e;
        }
        map.fields().forEachRemaining(e -> {
            Safetensors.Reader r = readers.get(shards.indexOf(e.getValue().asText()));
            if (!r.names().contains(e.getKey())) {
                readers.forEach(Safetensors.Reader::close);
                throw new IllegalArgumentException(index + ": tensor '" + e.getKey() + "' is mapped to " + e.getValue().asText()
                        + ", which does not contain it");
            }
        });
        return readers;
    }

    private static String storedName(LmConfig c, String name, Map<String, Safetensors.Reader> where) {
        if (where.containsKey(name)) {
            return name;
        }
        String prefix = "transformer.";
        if (c.family() == LmConfig.Family.GPT2 && name.startsWith(prefix) && where.containsKey(name.substring(prefix.length()))) {
            return name.substring(prefix.length());
        }
        return null;
    }

    private static boolean ignorable(LmConfig c, String stored) {
        if (c.family() == LmConfig.Family.GPT2) {
            return stored.endsWith(".attn.bias") || stored.endsWith(".attn.masked_bias") || stored.equals("lm_head.weight");
        }
        return stored.endsWith(".rotary_emb.inv_freq") || (c.tieEmbeddings() && stored.equals("lm_head.weight"));
    }

    private static String preview(List<String> names) {
        return names.size() <= 6 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 6)) + " ... (" + names.size() + " in all)";
    }

    /**
     * Saves {@code model} to {@code dir}, copying the tokenizer files found in {@code tokenizerSource} (may be null).
     */
    public static void save(DecoderLm model, Path dir, Path tokenizerSource) {
        List<Path> companions = new ArrayList<>();
        if (tokenizerSource != null) {
            if (!Files.isDirectory(tokenizerSource)) {
                throw new IllegalArgumentException("tokenizer source is not a directory: " + tokenizerSource);
            }
            for (String f : TOKENIZER_FILES) {
                Path p = tokenizerSource.resolve(f);
                if (Files.isRegularFile(p)) {
                    companions.add(p);
                }
            }
        }
        Path target = dir.toAbsolutePath().normalize();
        boolean fresh = !Files.exists(target);
        Path out = target;
        try {
            if (fresh) {
                Files.createDirectories(target.getParent());
                out = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".");
            }
            String dtype = model.dtype() == DataType.FLOAT64 ? "float64" : "float32";
            Safetensors.write(out.resolve(WEIGHTS), model.parameters(), Map.of("format", "pt"));
            for (Path c : companions) {
                Path dest = out.resolve(c.getFileName().toString());
                if (!dest.toAbsolutePath().normalize().equals(c.toAbsolutePath().normalize())) {
                    byte[] bytes = Files.readAllBytes(c);
                    AtomicFiles.write(dest, o -> o.write(bytes));
                }
            }
            HfConfig.write(out.resolve(CONFIG), model.config(), dtype);
            if (fresh) {
                try {
                    Files.move(out, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(out, target);
                }
                out = target;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not save model to " + target + ": " + e.getMessage(), e);
        } finally {
            if (fresh && !out.equals(target)) {
                deleteTree(out);
            }
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException ignored) {
                    // best effort cleanup of our own temporary folder
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
