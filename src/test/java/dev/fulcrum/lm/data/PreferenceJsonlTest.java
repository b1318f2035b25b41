package dev.fulcrum.lm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TRL preference rows: the three layouts round-trip, implicit prompts are extracted as TRL does, bad rows are named. */
class PreferenceJsonlTest {
    @TempDir
    Path dir;

    static final List<PreferenceExample> TEXT = List.of(
            new PreferenceExample(Content.text("sort: 3 1 2\n"), Content.text("1 2 3"), Content.text("3 2 1"),
                    Map.of("family", Json.MAPPER.valueToTree("sort-asc"), "p_chosen", Json.MAPPER.valueToTree(0.75))),
            PreferenceExample.text("Übersetze: \"naïve\" 🙂\n", "naiv", "Keine Ahnung\ttab"));

    static final List<PreferenceExample> CHAT = List.of(
            new PreferenceExample(Content.chat(new Message("system", "Be brief."), Message.user("2+2?")),
                    Content.chat(Message.assistant("4")), Content.chat(Message.assistant("5")), Map.of()),
            new PreferenceExample(Content.chat(Message.user("reverse: ab")),
                    Content.chat(Message.assistant("ba"), Message.user("and again?"), Message.assistant("ab")),
                    Content.chat(Message.assistant("xx")), Map.of("index", Json.MAPPER.valueToTree(3))));

    @Test
    void layoutsRoundTrip() {
        Path f = dir.resolve("p.jsonl");
        PreferenceJsonl.write(f, TEXT, PreferenceFormat.STANDARD);
        assertEquals(TEXT, PreferenceJsonl.read(f));
        PreferenceJsonl.write(f, TEXT, PreferenceFormat.IMPLICIT_PROMPT);
        assertEquals(TEXT, PreferenceJsonl.read(f), "responses that differ from their first character survive the implicit layout");
        PreferenceJsonl.write(f, CHAT, PreferenceFormat.CONVERSATIONAL);
        assertEquals(CHAT, PreferenceJsonl.read(f));
        PreferenceJsonl.write(f, CHAT, PreferenceFormat.IMPLICIT_PROMPT);
        assertEquals(CHAT, PreferenceJsonl.read(f));
    }

    @Test
    void rowsLookLikeTrls() throws Exception {
        Path f = dir.resolve("p.jsonl");
        PreferenceJsonl.write(f, TEXT.subList(0, 1), PreferenceFormat.STANDARD);
        assertEquals("{\"prompt\":\"sort: 3 1 2\\n\",\"chosen\":\"1 2 3\",\"rejected\":\"3 2 1\",\"family\":\"sort-asc\",\"p_chosen\":0.75}\n",
                Files.readString(f).replace(",\"p_chosen\":0.75,\"family\":\"sort-asc\"", ",\"family\":\"sort-asc\",\"p_chosen\":0.75"));
        PreferenceJsonl.write(f, CHAT.subList(0, 1), PreferenceFormat.CONVERSATIONAL);
        assertEquals("{\"prompt\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"2+2?\"}],"
                + "\"chosen\":[{\"role\":\"assistant\",\"content\":\"4\"}],\"rejected\":[{\"role\":\"assistant\",\"content\":\"5\"}]}\n",
                Files.readString(f));
    }

    @Test
    void implicitPromptFollowsTrl() throws Exception {
        Path f = dir.resolve("i.jsonl");
        Files.writeString(f, "{\"chosen\": \"The sky is blue.\", \"rejected\": \"The sky is green.\"}\n");
        assertEquals(PreferenceExample.text("The sky is", " blue.", " green."), PreferenceJsonl.read(f).getFirst());
    }

    @Test
    void badRowsNameFileLineAndField() throws Exception {
        assertBad("{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n{\"prompt\": \"p\", \"chosen\": \n", ":2: not valid JSON");
        assertBad("\n\n{\"prompt\":\"p\",\"chosen\":\"a\"}\n", ":3: field 'rejected' is missing");
        assertBad("{\"prompt\":\"p\",\"chosen\":7,\"rejected\":\"b\"}\n", ":1: field 'chosen' must be a string or a list");
        assertBad("{\"prompt\":\"  \",\"chosen\":\"a\",\"rejected\":\"b\"}\n", ":1: field 'prompt' is empty");
        assertBad("{\"prompt\":\"p\",\"chosen\":\"\",\"rejected\":\"b\"}\n", ":1: field 'chosen' is empty");
        assertBad("[1, 2]\n", ":1: must be a JSON object, got a list");
        assertBad("{\"prompt\":[{\"content\":\"hi\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"a\"}],"
                + "\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}\n", ":1: field 'prompt[0].role' is missing");
        assertBad("{\"prompt\":[{\"role\":\"robot\",\"content\":\"hi\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"a\"}],"
                + "\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}\n", ":1: field 'prompt[0].role' is 'robot'");
        assertBad("{\"prompt\":\"p\",\"chosen\":[{\"role\":\"assistant\",\"content\":\"a\"}],\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}\n",
                ":1: field 'chosen' is a list of messages but 'prompt' is a string");
        assertBad("{\"chosen\":\"abc\",\"rejected\":\"xyz\"}\n", ":1: has no 'prompt'");
        assertBad("{\"chosen\":\"same text\",\"rejected\":\"same text and more\"}\n", ":1: field 'chosen' has nothing after the prompt");
        var e = assertThrows(IllegalArgumentException.class, () -> PreferenceJsonl.read(dir.resolve("none.jsonl")));
        assertTrue(e.getMessage().contains("data file not found"), e.getMessage());
    }

    private void assertBad(String content, String fragment) throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, content);
        var e = assertThrows(LmDataException.class, () -> PreferenceJsonl.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(fragment), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void writingIsAtomicAndChecked() throws Exception {
        Path f = dir.resolve("p.jsonl");
        PreferenceJsonl.write(f, TEXT, PreferenceFormat.STANDARD);
        String before = Files.readString(f);
        List<PreferenceExample> bad = List.of(TEXT.get(0), PreferenceExample.text("p", "a", " "));
        var e = assertThrows(IllegalArgumentException.class, () -> PreferenceJsonl.write(f, bad, PreferenceFormat.STANDARD));
        assertTrue(e.getMessage().contains("example 1: field 'rejected' is empty"), e.getMessage());
        assertEquals(before, Files.readString(f), "a failed write leaves the old file");
        e = assertThrows(IllegalArgumentException.class, () -> PreferenceJsonl.write(f, CHAT, PreferenceFormat.STANDARD));
        assertTrue(e.getMessage().contains("needs text"), e.getMessage());
        var clash = List.of(TEXT.get(0).withExtra(Map.of("chosen", Json.MAPPER.valueToTree("x"))));
        assertThrows(IllegalArgumentException.class, () -> PreferenceJsonl.write(dir.resolve("c.jsonl"), clash, PreferenceFormat.STANDARD));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary files left behind");
        }
        AtomicFiles.writeString(f, "");
        assertEquals(List.of(), PreferenceJsonl.read(f));
        assertEquals(PreferenceFormat.IMPLICIT_PROMPT, PreferenceFormat.parse("implicit"));
        assertThrows(IllegalArgumentException.class, () -> PreferenceFormat.parse("tsv"));
    }
}
