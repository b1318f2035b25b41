package dev.fulcrum.lm.data;

import java.util.Set;

/** One chat turn, {@code {"role": ..., "content": ...}} in TRL's conversational format. */
public record Message(String role, String content) {
    public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    public Message {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("message role '" + role + "' is not one of system, user, assistant, tool");
        }
        if (content == null) {
            throw new IllegalArgumentException("message content is missing");
        }
    }

    public static Message user(String content) {
        return new Message("user", content);
    }

    public static Message assistant(String content) {
        return new Message("assistant", content);
    }
}
