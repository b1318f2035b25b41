package dev.fulcrum.lm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TRL supervised rows: prompt/completion (text or messages) and messages; errors name file, line and field. */
class SftJsonlTest {
    @TempDir
    Path dir;

    @Test
    void layoutsRoundTrip() throws Exception {
        Path f = dir.resolve("s.jsonl");
        List<SftExample> text = List.of(new SftExample(Content.text("reverse: ab\n"), Content.text("ba"),
                Map.of("family", Json.MAPPER.valueToTree("str-reverse"))), SftExample.text("日本\n", "語"));
        SftJsonl.write(f, text, SftFormat.PROMPT_COMPLETION);
        assertEquals(text, SftJsonl.read(f));
        assertTrue(Files.readString(f).startsWith("{\"prompt\":\"reverse: ab\\n\",\"completion\":\"ba\",\"family\":\"str-reverse\"}\n"));

        List<SftExample> chat = List.of(new SftExample(Content.chat(new Message("system", "s"), Message.user("u")),
                Content.chat(Message.assistant("a")), Map.of("index", Json.MAPPER.valueToTree(1))));
        SftJsonl.write(f, chat, SftFormat.MESSAGES);
        assertEquals(chat, SftJsonl.read(f));
        assertTrue(Files.readString(f).startsWith("{\"messages\":[{\"role\":\"system\""));
        SftJsonl.write(f, chat, SftFormat.PROMPT_COMPLETION); // TRL's conversational prompt-completion
        assertEquals(chat, SftJsonl.read(f));
        assertThrows(IllegalArgumentException.class, () -> SftJsonl.write(f, text, SftFormat.MESSAGES));
    }

    @Test
    void badRowsAreNamed() throws Exception {
        assertBad("{\"prompt\":\"p\"}\n", ":1: field 'completion' is missing");
        assertBad("{\"prompt\":\"p\",\"completion\":false}\n", ":1: field 'completion' must be a string or a list");
        assertBad("{\"text\":\"p\"}\n", ":1: has neither 'messages' nor 'prompt' and 'completion'");
        assertBad("{\"messages\":\"hi\"}\n", ":1: field 'messages' must be a list");
        assertBad("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"user\",\"content\":\"again\"}]}\n",
                ":1: field 'messages[1].role' is 'user'; the last message must be the assistant's");
        assertBad("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"\"}]}\n",
                ":1: field 'messages[1].content' is empty");
        assertBad("{\"prompt\":\"p\",\"completion\":\"c\"}\n{oops}\n", ":2: not valid JSON");
    }

    private void assertBad(String content, String fragment) throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, content);
        var e = assertThrows(LmDataException.class, () -> SftJsonl.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(fragment), e.getMessage());
    }
}
