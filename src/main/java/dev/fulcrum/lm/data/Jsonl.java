package dev.fulcrum.lm.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** JSON Lines reading with errors that name the file, line and field, and atomic writing. Blank lines are skipped. */
final class Jsonl {
    private Jsonl() {
    }

    /** One row of a JSON Lines file. */
    record Row(Path file, int line, ObjectNode node) {
        LmDataException error(String field, String problem) {
            return new LmDataException(file, line, field, problem);
        }

        boolean has(String field) {
            return node.has(field) && !node.get(field).isNull();
        }

        /** A required string; {@code nonBlank} rejects empty and white-space-only text. */
        String string(String field, boolean nonBlank) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                throw error(field, "is missing");
            }
            if (!v.isTextual()) {
                throw error(field, "must be a string, got " + kind(v));
            }
            if (nonBlank && v.asText().isBlank()) {
                throw error(field, "is empty");
            }
            return v.asText();
        }

        /** A required non-empty text or list of messages. */
        Content content(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                throw error(field, "is missing");
            }
            if (v.isTextual()) {
                if (v.asText().isBlank()) {
                    throw error(field, "is empty");
                }
                return Content.text(v.asText());
            }
            if (v.isArray()) {
                return Content.chat(messages(field, v));
            }
            throw error(field, "must be a string or a list of {\"role\", \"content\"} messages, got " + kind(v));
        }

        List<Message> messages(String field, JsonNode array) {
            if (array.isEmpty()) {
                throw error(field, "is an empty list of messages");
            }
            List<Message> out = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                String at = field + "[" + i + "]";
                JsonNode m = array.get(i);
                if (!m.isObject()) {
                    throw error(at, "must be a {\"role\", \"content\"} object, got " + kind(m));
                }
                JsonNode role = m.get("role"), content = m.get("content");
                if (role == null || !role.isTextual()) {
                    throw error(at + ".role", role == null ? "is missing" : "must be a string, got " + kind(role));
                }
                if (!Message.ROLES.contains(role.asText())) {
                    throw error(at + ".role", "is '" + role.asText() + "', not one of system, user, assistant, tool");
                }
                if (content == null || !content.isTextual()) {
                    throw error(at + ".content", content == null ? "is missing" : "must be a string, got " + kind(content));
                }
                if (content.asText().isBlank()) {
                    throw error(at + ".content", "is empty");
                }
                out.add(new Message(role.asText(), content.asText()));
            }
            return out;
        }

        /** The columns other than {@code known}, in file order. */
        Map<String, JsonNode> extra(Set<String> known) {
            Map<String, JsonNode> out = new LinkedHashMap<>();
            for (var e : node.properties()) {
                if (!known.contains(e.getKey())) {
                    out.put(e.getKey(), e.getValue());
                }
            }
            return out;
        }
    }

    /**
     * The columns as a file would give them back (a long 1 becomes the int node 1, ...), so that an example equals itself
     * after a write and a read; unmodifiable, in order.
     */
    static Map<String, JsonNode> canonical(Map<String, JsonNode> extra) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (var e : extra.entrySet()) {
            try {
                out.put(e.getKey(), Json.MAPPER.readTree(Json.COMPACT.writeValueAsString(e.getValue())));
            } catch (JsonProcessingException ex) {
                throw new IllegalArgumentException("column '" + e.getKey() + "' cannot be written as JSON: " + ex.getOriginalMessage(), ex);
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    static List<Row> read(Path file) {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = Json.MAPPER.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new LmDataException(file, line, null, "not valid JSON: " + e.getOriginalMessage());
                }
                if (!node.isObject()) {
                    throw new LmDataException(file, line, null, "must be a JSON object, got " + kind(node));
                }
                rows.add(new Row(file, line, (ObjectNode) node));
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("data file not found: " + file);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /** Writes one compact JSON object per line, atomically. */
    static void write(Path file, List<ObjectNode> rows) {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            for (ObjectNode row : rows) {
                w.write(Json.COMPACT.writeValueAsString(row));
                w.write('\n');
            }
            w.flush();
        });
    }

    static ArrayNode messages(List<Message> messages) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Message m : messages) {
            a.addObject().put("role", m.role()).put("content", m.content());
        }
        return a;
    }

    static JsonNode node(Content c) {
        return switch (c) {
            case Content.Text t -> Json.MAPPER.getNodeFactory().textNode(t.text());
            case Content.Chat chat -> messages(chat.messages());
        };
    }

    /** Adds the extra columns, refusing names the format uses itself. */
    static void putExtra(ObjectNode row, Map<String, JsonNode> extra, Set<String> reserved, int index) {
        for (var e : extra.entrySet()) {
            if (reserved.contains(e.getKey())) {
                throw new IllegalArgumentException("example " + index + ": extra column '" + e.getKey() + "' clashes with the format's own field");
            }
            row.set(e.getKey(), e.getValue());
        }
    }
}
