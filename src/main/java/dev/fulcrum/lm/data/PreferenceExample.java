package dev.fulcrum.lm.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One preference: a prompt and a chosen and a rejected response, all three text or all three chat. {@code extra} holds
 * any further columns of the row (provenance, rewards, probabilities), kept in order and written back unchanged.
 */
public record PreferenceExample(Content prompt, Content chosen, Content rejected, Map<String, JsonNode> extra) {
    public PreferenceExample {
        if (prompt.getClass() != chosen.getClass() || prompt.getClass() != rejected.getClass()) {
            throw new IllegalArgumentException("prompt, chosen and rejected must all be text or all be messages");
        }
        extra = Jsonl.canonical(extra);
    }

    public static PreferenceExample text(String prompt, String chosen, String rejected) {
        return new PreferenceExample(Content.text(prompt), Content.text(chosen), Content.text(rejected), Map.of());
    }

    public boolean conversational() {
        return prompt instanceof Content.Chat;
    }

    public PreferenceExample withExtra(Map<String, JsonNode> more) {
        Map<String, JsonNode> all = new LinkedHashMap<>(extra);
        all.putAll(more);
        return new PreferenceExample(prompt, chosen, rejected, all);
    }
}
