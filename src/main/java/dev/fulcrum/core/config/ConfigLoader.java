package dev.fulcrum.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fulcrum.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a configuration record from three layers: the record's defaults, an optional YAML or JSON file, and
 * {@code key.path=value} overrides (as from the command line), in that order. Unknown keys, wrong types and values the
 * record's constructor rejects all raise a {@link ConfigException} naming the dotted field path.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    public static <T> T load(Class<T> type, T defaults, Path file, List<String> overrides) {
        ObjectNode tree = Json.COMPACT.valueToTree(defaults);
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("--config", "names a file that does not exist: " + file);
            }
            JsonNode fromFile;
            try {
                fromFile = YAML.readTree(file.toFile());
            } catch (IOException e) {
                throw new ConfigException("--config", "cannot be parsed (" + file + "): " + firstLine(e.getMessage()));
            }
            if (fromFile != null && !fromFile.isMissingNode() && !fromFile.isNull()) {
                if (!fromFile.isObject()) {
                    throw new ConfigException("--config", "must hold a mapping of fields at the top level: " + file);
                }
                merge(tree, (ObjectNode) fromFile, "");
            }
        }
        for (String o : overrides) {
            applyOverride(tree, o);
        }
        try {
            return Json.COMPACT.treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException ce) {
                throw ce;
            }
            throw new ConfigException(path(e), "is invalid: " + (cause != null ? cause.getMessage() : e.getOriginalMessage()));
        } catch (MismatchedInputException e) {
            throw new ConfigException(path(e), "has the wrong type: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException("(config)", "could not be read: " + firstLine(e.getMessage()));
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        String p = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return p.isEmpty() ? "(root)" : p;
    }

    private static void merge(ObjectNode base, ObjectNode update, String prefix) {
        for (Iterator<Map.Entry<String, JsonNode>> it = update.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = prefix + e.getKey();
            JsonNode existing = base.get(e.getKey());
            if (existing == null) {
                throw new ConfigException(field, "is not a known setting (known here: " + knownKeys(base) + ")");
            }
            if (existing.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) existing, (ObjectNode) e.getValue(), field + ".");
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private static void applyOverride(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException(override, "is not an override of the form key.path=value");
        }
        String key = override.substring(0, eq).trim();
        String value = override.substring(eq + 1);
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw new ConfigException(key, "is not a known setting (known here: " + knownKeys(node) + ")");
            }
            node = (ObjectNode) child;
        }
        String leaf = parts[parts.length - 1];
        if (!node.has(leaf)) {
            throw new ConfigException(key, "is not a known setting (known here: " + knownKeys(node) + ")");
        }
        JsonNode parsed;
        try {
            parsed = YAML.readTree(value.isEmpty() ? "''" : value);
        } catch (IOException e) {
            throw new ConfigException(key, "has an unparseable value '" + value + "'");
        }
        node.set(leaf, parsed == null || parsed.isMissingNode() ? Json.COMPACT.getNodeFactory().textNode(value) : parsed);
    }

    private static String knownKeys(ObjectNode node) {
        StringBuilder sb = new StringBuilder();
        node.fieldNames().forEachRemaining(n -> sb.append(sb.isEmpty() ? "" : ", ").append(n));
        return sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
