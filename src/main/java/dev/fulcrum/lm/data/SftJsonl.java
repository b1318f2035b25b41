package dev.fulcrum.lm.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads and writes supervised datasets as TRL-style JSON Lines ({@link SftFormat}). */
public final class SftJsonl {
    private static final Set<String> PROMPT_COMPLETION = Set.of("prompt", "completion");
    private static final Set<String> MESSAGES = Set.of("messages");

    private SftJsonl() {
    }

    /** Reads every row; a row is recognised as {@code messages} or {@code prompt}/{@code completion} by its fields. */
    public static List<SftExample> read(Path file) {
        List<SftExample> out = new ArrayList<>();
        for (Jsonl.Row row : Jsonl.read(file)) {
            out.add(parse(row));
        }
        return out;
    }

    private static SftExample parse(Jsonl.Row row) {
        if (row.has("messages")) {
            JsonNode v = row.node().get("messages");
            if (!v.isArray()) {
                throw row.error("messages", "must be a list of {\"role\", \"content\"} messages, got " + Jsonl.kind(v));
            }
            List<Message> all = row.messages("messages", v);
            if (all.size() < 2) {
                throw row.error("messages", "needs at least a prompt message and the assistant's reply");
            }
            if (!all.getLast().role().equals("assistant")) {
                throw row.error("messages[" + (all.size() - 1) + "].role", "is '" + all.getLast().role()
                        + "'; the last message must be the assistant's");
            }
            return new SftExample(Content.chat(all.subList(0, all.size() - 1)), Content.chat(all.getLast()),
                    row.extra(MESSAGES));
        }
        if (!row.has("prompt") && !row.has("completion")) {
            throw row.error(null, "has neither 'messages' nor 'prompt' and 'completion'");
        }
        Content prompt = row.content("prompt");
        Content completion = row.content("completion");
        if (prompt.getClass() != completion.getClass()) {
            throw row.error("completion", "is " + (completion instanceof Content.Text ? "a string" : "a list of messages")
                    + " but 'prompt' is " + (prompt instanceof Content.Text ? "a string" : "a list of messages"));
        }
        return new SftExample(prompt, completion, row.extra(PROMPT_COMPLETION));
    }

    /** Writes the examples atomically in {@code format}; {@code MESSAGES} needs conversational examples. */
    public static void write(Path file, List<SftExample> examples, SftFormat format) {
        List<ObjectNode> rows = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            SftExample e = examples.get(i);
            if (e.prompt().isBlank()) {
                throw new IllegalArgumentException("example " + i + ": field 'prompt' is empty");
            }
            if (e.completion().isBlank()) {
                throw new IllegalArgumentException("example " + i + ": field 'completion' is empty");
            }
            ObjectNode row = Json.MAPPER.createObjectNode();
            if (format == SftFormat.MESSAGES) {
                if (!e.conversational()) {
                    throw new IllegalArgumentException("example " + i + " is text; the messages format needs messages");
                }
                List<Message> all = new ArrayList<>(((Content.Chat) e.prompt()).messages());
                all.addAll(((Content.Chat) e.completion()).messages());
                row.set("messages", Jsonl.messages(all));
                Jsonl.putExtra(row, e.extra(), MESSAGES, i);
            } else {
                row.set("prompt", Jsonl.node(e.prompt()));
                row.set("completion", Jsonl.node(e.completion()));
                Jsonl.putExtra(row, e.extra(), PROMPT_COMPLETION, i);
            }
            rows.add(row);
        }
        Jsonl.write(file, rows);
    }
}
