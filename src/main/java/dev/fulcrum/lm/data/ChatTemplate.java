package dev.fulcrum.lm.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns conversational rows (TRL's {@code [{"role", "content"}, ...]}) into the text a causal model trains on, the way
 * {@code tokenizer.apply_chat_template} does. Hugging Face stores a model's template as Jinja (in
 * {@code chat_template.jinja}, transformers 5, or the {@code chat_template} field of {@code tokenizer_config.json});
 * rather than interpret Jinja, Fulcrum recognises the template families in common use by their turn markers and renders
 * them natively:
 * <ul>
 *   <li>{@link Style#CHATML}: {@code <|im_start|>role\ncontent<|im_end|>\n} per turn (Qwen, many small models), and the
 *       default when a model has no template (the markers are plain text to a byte tokenizer);</li>
 *   <li>{@link Style#LLAMA3}: {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>} after
 *       {@code <|begin_of_text|>};</li>
 *   <li>{@link Style#ZEPHYR}: {@code <|role|>\ncontent</s>\n}.</li>
 * </ul>
 * A template of another family is refused with an error naming the file. {@link #split} gives the prompt text (with the
 * generation prompt, i.e. the opening of the assistant turn) and the completion text (the assistant's content and its
 * end-of-turn marker), so that prompt + completion is the rendering of the whole conversation, as TRL's SFT and DPO
 * trainers build them.
 */
public record ChatTemplate(Style style) {
    public enum Style {
        CHATML, LLAMA3, ZEPHYR;

        public static Style parse(String name) {
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown chat template '" + name + "' (chatml, llama3, zephyr)", e);
            }
        }
    }

    /** The file transformers 5 writes the template to. */
    public static final String JINJA_FILE = "chat_template.jinja";

    public static ChatTemplate chatml() {
        return new ChatTemplate(Style.CHATML);
    }

    /** A prompt and completion as text. */
    public record Rendered(String prompt, String completion) {
    }

    /**
     * The template of a Hugging Face model or tokenizer directory ({@code chat_template.jinja}, else the
     * {@code chat_template} of {@code tokenizer_config.json}), or ChatML when it has none (or {@code dir} is null).
     */
    public static ChatTemplate of(Path dir) {
        if (dir == null) {
            return chatml();
        }
        try {
            Path jinja = dir.resolve(JINJA_FILE);
            if (Files.isRegularFile(jinja)) {
                return recognise(Files.readString(jinja), jinja.toString());
            }
            Path config = dir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(config)) {
                JsonNode t = Json.MAPPER.readTree(config.toFile()).path("chat_template");
                if (t.isTextual()) {
                    return recognise(t.asText(), config + ": chat_template");
                }
                if (!t.isMissingNode() && !t.isNull()) {
                    throw new IllegalArgumentException(config + ": chat_template must be a string (named templates are not supported)");
                }
            }
            return chatml();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the chat template in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The style of a Jinja template, by its turn markers. */
    public static ChatTemplate recognise(String jinja, String source) {
        if (jinja.contains("<|im_start|>") && jinja.contains("<|im_end|>")) {
            return new ChatTemplate(Style.CHATML);
        }
        if (jinja.contains("<|start_header_id|>") && jinja.contains("<|eot_id|>")) {
            return new ChatTemplate(Style.LLAMA3);
        }
        if (jinja.contains("<|user|>") && jinja.contains("<|assistant|>")) {
            return new ChatTemplate(Style.ZEPHYR);
        }
        throw new IllegalArgumentException(source + ": chat template not recognised (Fulcrum renders ChatML, Llama-3 and Zephyr "
                + "templates natively); write the data as plain prompt/completion text instead");
    }

    /** The conversation as text; with {@code generationPrompt} the opening of an assistant turn is appended. */
    public String render(List<Message> messages, boolean generationPrompt) {
        StringBuilder sb = new StringBuilder(style == Style.LLAMA3 ? "<|begin_of_text|>" : "");
        for (Message m : messages) {
            sb.append(open(m.role())).append(m.content()).append(close());
        }
        if (generationPrompt) {
            sb.append(open("assistant"));
        }
        return sb.toString();
    }

    /** A row's prompt and response as text: plain text as it is, conversational rows through {@link #split}. */
    public Rendered apply(Content prompt, Content response) {
        if (prompt instanceof Content.Text p && response instanceof Content.Text r) {
            return new Rendered(p.text(), r.text());
        }
        return split(prompt, response);
    }

    /** Prompt text (with the generation prompt) and completion text of a conversational row. */
    public Rendered split(Content prompt, Content completion) {
        if (!(prompt instanceof Content.Chat p) || !(completion instanceof Content.Chat c)) {
            throw new IllegalArgumentException("a conversational row needs message lists for both prompt and completion");
        }
        List<Message> all = new ArrayList<>(p.messages());
        all.addAll(c.messages());
        String promptText = render(p.messages(), true);
        String whole = render(all, false);
        if (!whole.startsWith(promptText)) {
            throw new IllegalArgumentException("the completion does not start with an assistant message (roles "
                    + c.messages().stream().map(Message::role).toList() + ")");
        }
        return new Rendered(promptText, whole.substring(promptText.length()));
    }

    /** A plain task prompt as the user's turn, ready for generation. */
    public String userPrompt(String text) {
        return render(List.of(Message.user(text.stripTrailing())), true);
    }

    /** The text before the first end-of-turn marker (all of it when there is none). */
    public String untilEndOfTurn(String response) {
        String marker = close().strip();
        int at = response.indexOf(marker);
        return at < 0 ? response : response.substring(0, at);
    }

    private String open(String role) {
        return switch (style) {
            case CHATML -> "<|im_start|>" + role + "\n";
            case LLAMA3 -> "<|start_header_id|>" + role + "<|end_header_id|>\n\n";
            case ZEPHYR -> "<|" + role + "|>\n";
        };
    }

    private String close() {
        return switch (style) {
            case CHATML -> "<|im_end|>\n";
            case LLAMA3 -> "<|eot_id|>";
            case ZEPHYR -> "</s>\n";
        };
    }

    /** A Jinja template that transformers renders the same way, for writing next to a model. */
    public String jinja() {
        String gen = "{% if add_generation_prompt %}{{ '" + escape(open("assistant")) + "' }}{% endif %}";
        String close = escape(close());
        if (style == Style.ZEPHYR) { // literal role markers, as Zephyr's own template has them
            StringBuilder roles = new StringBuilder();
            for (String role : List.of("system", "user", "assistant", "tool")) {
                roles.append(roles.isEmpty() ? "{% if" : "{% elif").append(" message['role'] == '").append(role).append("' %}{{ '")
                        .append(escape(open(role))).append("' }}");
            }
            return "{% for message in messages %}" + roles + "{% endif %}{{ message['content'] + '" + close + "' }}{% endfor %}" + gen;
        }
        String open = switch (style) {
            case CHATML -> "'<|im_start|>' + message['role'] + '\\n'";
            default -> "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'";
        };
        return (style == Style.LLAMA3 ? "{{ '<|begin_of_text|>' }}" : "") + "{% for message in messages %}{{ " + open
                + " + message['content'] + '" + close + "' }}{% endfor %}" + gen;
    }

    private static String escape(String text) {
        return text.replace("\n", "\\n");
    }
}
