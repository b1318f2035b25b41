package dev.fulcrum.lm.data;

import java.util.Locale;

/**
 * TRL's preference row layouts.
 * <ul>
 *   <li>{@code STANDARD}: {@code {"prompt": "...", "chosen": "...", "rejected": "..."}};</li>
 *   <li>{@code IMPLICIT_PROMPT}: {@code {"chosen": "prompt+chosen", "rejected": "prompt+rejected"}}, text or messages;
 *       the prompt is recovered as the shared prefix (TRL's {@code extract_prompt}, which leaves a space just before the
 *       first difference to the responses). Responses that themselves start alike lose that start to the prompt;</li>
 *   <li>{@code CONVERSATIONAL}: the three fields are lists of {@code {"role", "content"}} messages.</li>
 * </ul>
 */
public enum PreferenceFormat {
    STANDARD, IMPLICIT_PROMPT, CONVERSATIONAL;

    /** From a command-line name: standard, implicit, conversational. */
    public static PreferenceFormat parse(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "standard" -> STANDARD;
            case "implicit", "implicit-prompt", "implicit_prompt" -> IMPLICIT_PROMPT;
            case "conversational", "chat" -> CONVERSATIONAL;
            default -> throw new IllegalArgumentException("unknown preference format '" + name + "' (standard, implicit, conversational)");
        };
    }
}
