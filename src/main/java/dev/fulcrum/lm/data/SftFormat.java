package dev.fulcrum.lm.data;

import java.util.Locale;

/**
 * TRL's supervised row layouts.
 * <ul>
 *   <li>{@code PROMPT_COMPLETION}: {@code {"prompt": ..., "completion": ...}}, both strings or both message lists;</li>
 *   <li>{@code MESSAGES}: {@code {"messages": [{"role", "content"}, ...]}} ending with the assistant's message.</li>
 * </ul>
 */
public enum SftFormat {
    PROMPT_COMPLETION, MESSAGES;

    /** From a command-line name: prompt-completion, messages. */
    public static SftFormat parse(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "prompt-completion", "prompt_completion", "standard" -> PROMPT_COMPLETION;
            case "messages", "conversational", "chat" -> MESSAGES;
            default -> throw new IllegalArgumentException("unknown SFT format '" + name + "' (prompt-completion, messages)");
        };
    }
}
