package dev.fulcrum.lm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
    private static final List<Message> CONVERSATION = List.of(new Message("system", "Be brief."), Message.user("2+2?"));

    @Test
    void rendersTheThreeFamiliesInTheirPublishedFormats() {
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n",
                ChatTemplate.chatml().render(CONVERSATION, true));
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
                new ChatTemplate(ChatTemplate.Style.LLAMA3).render(CONVERSATION, true));
        assertEquals("<|system|>\nBe brief.</s>\n<|user|>\n2+2?</s>\n<|assistant|>\n",
                new ChatTemplate(ChatTemplate.Style.ZEPHYR).render(CONVERSATION, true));
    }

    @Test
    void splitGivesPromptWithGenerationPromptAndTheAssistantTurn() {
        for (ChatTemplate.Style style : ChatTemplate.Style.values()) {
            ChatTemplate t = new ChatTemplate(style);
            var r = t.split(Content.chat(CONVERSATION), Content.chat(Message.assistant("4")));
            assertEquals(t.render(CONVERSATION, true), r.prompt());
            assertEquals(t.render(List.of(new Message("system", "Be brief."), Message.user("2+2?"), Message.assistant("4")), false),
                    r.prompt() + r.completion(), style.name());
            assertEquals("4", t.untilEndOfTurn(r.completion()), style.name());
        }
    }

    @Test
    void aCompletionThatIsNotAnAssistantTurnIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.chatml().split(Content.chat(Message.user("a")), Content.text("b")));
        assertTrue(e.getMessage().contains("message lists"), e.getMessage());
    }

    @Test
    void readsTheTemplateOfAModelDirectoryAndRefusesUnknownOnes(@TempDir Path dir) throws Exception {
        assertEquals(ChatTemplate.Style.CHATML, ChatTemplate.of(dir).style(), "no template: ChatML");
        for (ChatTemplate.Style style : ChatTemplate.Style.values()) {
            Files.writeString(dir.resolve("tokenizer_config.json"),
                    dev.fulcrum.core.io.Json.line(java.util.Map.of("chat_template", new ChatTemplate(style).jinja())));
            assertEquals(style, ChatTemplate.of(dir).style());
        }
        Files.writeString(dir.resolve(ChatTemplate.JINJA_FILE), "{{ messages[0]['content'] }} [INST]");
        var e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.of(dir));
        assertTrue(e.getMessage().contains(ChatTemplate.JINJA_FILE) && e.getMessage().contains("not recognised"), e.getMessage());
    }
}
