package dev.fulcrum.lm.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads and writes preference datasets as TRL-style JSON Lines, in any of the {@link PreferenceFormat}s. */
public final class PreferenceJsonl {
    private static final Set<String> FIELDS = Set.of("prompt", "chosen", "rejected");

    private PreferenceJsonl() {
    }

    /** Reads every row, whatever its layout (each row is recognised by its fields); implicit prompts are extracted. */
    public static List<PreferenceExample> read(Path file) {
        List<PreferenceExample> out = new ArrayList<>();
        for (Jsonl.Row row : Jsonl.read(file)) {
            out.add(parse(row));
        }
        return out;
    }

    private static PreferenceExample parse(Jsonl.Row row) {
        Content chosen = row.content("chosen");
        Content rejected = row.content("rejected");
        if (chosen.getClass() != rejected.getClass()) {
            throw row.error("rejected", "is " + describe(rejected) + " but 'chosen' is " + describe(chosen));
        }
        var extra = row.extra(FIELDS);
        if (row.has("prompt")) {
            Content prompt = row.content("prompt");
            if (prompt.getClass() != chosen.getClass()) {
                throw row.error("chosen", "is " + describe(chosen) + " but 'prompt' is " + describe(prompt));
            }
            return new PreferenceExample(prompt, chosen, rejected, extra);
        }
        return switch (chosen) {
            case Content.Text c -> {
                String a = c.text(), b = ((Content.Text) rejected).text();
                int i = 0;
                while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
                    i++;
                }
                if (i > 0 && Character.isHighSurrogate(a.charAt(i - 1))) {
                    i--;
                }
                if (i > 0 && i < Math.min(a.length(), b.length()) && a.charAt(i - 1) == ' ') {
                    i--; // TRL: the space before the first difference belongs to the responses
                }
                checkImplicit(row, i, a.length(), b.length());
                yield new PreferenceExample(Content.text(a.substring(0, i)), Content.text(a.substring(i)),
                        Content.text(b.substring(i)), extra);
            }
            case Content.Chat c -> {
                List<Message> a = c.messages(), b = ((Content.Chat) rejected).messages();
                int i = 0;
                while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
                    i++;
                }
                checkImplicit(row, i, a.size(), b.size());
                yield new PreferenceExample(Content.chat(a.subList(0, i)), Content.chat(a.subList(i, a.size())),
                        Content.chat(b.subList(i, b.size())), extra);
            }
        };
    }

    private static void checkImplicit(Jsonl.Row row, int shared, int chosenLength, int rejectedLength) {
        if (shared == 0) {
            throw row.error(null, "has no 'prompt' and 'chosen' and 'rejected' share no prefix to serve as the prompt");
        }
        if (shared == chosenLength) {
            throw row.error("chosen", "has nothing after the prompt it shares with 'rejected'");
        }
        if (shared == rejectedLength) {
            throw row.error("rejected", "has nothing after the prompt it shares with 'chosen'");
        }
    }

    private static String describe(Content c) {
        return c instanceof Content.Text ? "a string" : "a list of messages";
    }

    /** Writes the examples atomically in {@code format}; errors name the example's index. */
    public static void write(Path file, List<PreferenceExample> examples, PreferenceFormat format) {
        List<ObjectNode> rows = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            PreferenceExample e = examples.get(i);
            checkNotBlank(e, i);
            ObjectNode row = Json.MAPPER.createObjectNode();
            switch (format) {
                case STANDARD, CONVERSATIONAL -> {
                    boolean wantChat = format == PreferenceFormat.CONVERSATIONAL;
                    if (e.conversational() != wantChat) {
                        throw new IllegalArgumentException("example " + i + " is " + (e.conversational() ? "conversational" : "text")
                                + "; the " + format.name().toLowerCase(java.util.Locale.ROOT) + " format needs "
                                + (wantChat ? "messages" : "text"));
                    }
                    row.set("prompt", Jsonl.node(e.prompt()));
                    row.set("chosen", Jsonl.node(e.chosen()));
                    row.set("rejected", Jsonl.node(e.rejected()));
                }
                case IMPLICIT_PROMPT -> {
                    row.set("chosen", Jsonl.node(join(e.prompt(), e.chosen())));
                    row.set("rejected", Jsonl.node(join(e.prompt(), e.rejected())));
                }
            }
            Jsonl.putExtra(row, e.extra(), FIELDS, i);
            rows.add(row);
        }
        Jsonl.write(file, rows);
    }

    private static Content join(Content prompt, Content response) {
        return switch (prompt) {
            case Content.Text p -> Content.text(p.text() + ((Content.Text) response).text());
            case Content.Chat p -> {
                List<Message> all = new ArrayList<>(p.messages());
                all.addAll(((Content.Chat) response).messages());
                yield Content.chat(all);
            }
        };
    }

    private static void checkNotBlank(PreferenceExample e, int i) {
        if (e.prompt().isBlank()) {
            throw new IllegalArgumentException("example " + i + ": field 'prompt' is empty");
        }
        if (e.chosen().isBlank()) {
            throw new IllegalArgumentException("example " + i + ": field 'chosen' is empty");
        }
        if (e.rejected().isBlank()) {
            throw new IllegalArgumentException("example " + i + ": field 'rejected' is empty");
        }
    }
}
