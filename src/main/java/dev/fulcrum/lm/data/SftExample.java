package dev.fulcrum.lm.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One supervised example: a prompt and its completion, both text or both chat. A {@code messages} row is read as the
 * conversation up to its last message (prompt) and that last, assistant, message (completion).
 */
public record SftExample(Content prompt, Content completion, Map<String, JsonNode> extra) {
    public SftExample {
        if (prompt.getClass() != completion.getClass()) {
            throw new IllegalArgumentException("prompt and completion must both be text or both be messages");
        }
        extra = Jsonl.canonical(extra);
    }

    public static SftExample text(String prompt, String completion) {
        return new SftExample(Content.text(prompt), Content.text(completion), Map.of());
    }

    public boolean conversational() {
        return prompt instanceof Content.Chat;
    }
}
