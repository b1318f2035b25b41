package dev.fulcrum.lm.data;

import java.util.List;

/** A prompt or a response: plain text (TRL's standard format) or a list of messages (conversational format). */
public sealed interface Content permits Content.Text, Content.Chat {
    static Content text(String text) {
        return new Text(text);
    }

    static Content chat(List<Message> messages) {
        return new Chat(messages);
    }

    static Content chat(Message... messages) {
        return new Chat(List.of(messages));
    }

    /** Whether there is nothing in it (empty or white space only; no messages, or only empty ones). */
    boolean isBlank();

    record Text(String text) implements Content {
        public Text {
            if (text == null) {
                throw new IllegalArgumentException("text is missing");
            }
        }

        @Override
        public boolean isBlank() {
            return text.isBlank();
        }
    }

    record Chat(List<Message> messages) implements Content {
        public Chat {
            messages = List.copyOf(messages);
        }

        @Override
        public boolean isBlank() {
            return messages.stream().allMatch(m -> m.content().isBlank());
        }
    }
}
