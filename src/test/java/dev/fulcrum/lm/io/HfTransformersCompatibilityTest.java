package dev.fulcrum.lm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.ChatTemplate;
import dev.fulcrum.lm.data.Message;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.GenerationConfig;
import dev.fulcrum.lm.model.Generator;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.TokenBatch;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.tokenize.Tokenizers;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Directories written by Hugging Face transformers 5.17 itself ({@code save_pretrained} of a random Llama with grouped-query
 * attention and rope_theta 500000, and of a random GPT-2; a byte-level BPE tokenizer trained by the tokenizers library;
 * a ChatML chat template in {@code chat_template.jinja}), made by scripts/fixtures/make_hf_transformers_fixture.py with the
 * outputs transformers computed for them. Fulcrum must read the files as transformers wrote them (including the
 * transformers-5 config layout, {@code rope_parameters} and {@code dtype}) and reproduce its token ids, logits, greedy
 * continuation and chat rendering.
 */
class HfTransformersCompatibilityTest {
    private static final double TOL = 1e-4;

    static Path fixture(String name) {
        try {
            return Path.of(HfTransformersCompatibilityTest.class.getResource("/fixtures/hf-transformers/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode expected(String model) throws Exception {
        return Json.COMPACT.readTree(Files.readString(fixture("expected.json"))).get(model);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void configIsReadAsTransformersWroteIt(String name) {
        LmConfig c = HfCheckpoint.config(fixture(name));
        assertEquals(name.equals("llama") ? LmConfig.Family.LLAMA : LmConfig.Family.GPT2, c.family());
        assertEquals(384, c.vocabSize());
        if (name.equals("llama")) {
            assertEquals(500000.0, c.ropeTheta(), "rope_parameters.rope_theta");
            assertEquals(2, c.kvHeads());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void tokenIdsMatchTheTokenizersLibrary(String name) throws Exception {
        for (String spec : List.of(fixture(name).toString(), "hf:" + fixture(name))) {
            Tokenizer tok = Tokenizers.open(spec);
            try {
                for (JsonNode t : expected(name).get("texts")) {
                    String text = t.get("text").asText();
                    if (!spec.startsWith("hf:") && text.contains("<|im_start|>")) {
                        continue; // special tokens inside text: only the Hugging Face tokenizer splits them out
                    }
                    assertArrayEquals(ints(t.get("ids")), tok.encode(text), spec + ": " + text);
                }
            } finally {
                if (tok instanceof AutoCloseable c) {
                    c.close();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void logitsAndGreedyContinuationMatchTransformers(String name) throws Exception {
        JsonNode exp = expected(name);
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(fixture(name), m, DataType.FLOAT32);
            for (JsonNode t : exp.get("texts")) {
                int[] ids = ints(t.get("ids"));
                long[] flat = new long[ids.length];
                boolean[] mask = new boolean[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    flat[i] = ids[i];
                    mask[i] = true;
                }
                try (NDScope ignored = new NDScope()) {
                    float[] logits = model.logits(m, new TokenBatch(1, ids.length, flat, mask)).toFloatArray();
                    JsonNode rows = t.get("logits");
                    int vocab = model.config().vocabSize();
                    double worst = 0;
                    for (int j = 0; j < ids.length; j++) {
                        for (int v = 0; v < vocab; v++) {
                            double e = rows.get(j).get(v).asDouble();
                            worst = Math.max(worst, Math.abs(logits[j * vocab + v] - e) / Math.max(1, Math.abs(e)));
                        }
                    }
                    assertTrue(worst < TOL, name + " '" + t.get("text").asText() + "': worst relative logit error " + worst);
                }
            }
            int[] prompt = ints(exp.get("greedy").get("prompt_ids"));
            int[] want = ints(exp.get("greedy").get("new_ids"));
            try (NDScope ignored = new NDScope()) {
                var out = new Generator(model).generate(m, List.of(prompt), GenerationConfig.greedy(want.length), new Rng(0));
                assertArrayEquals(want, out.getFirst().tokens(), name + ": greedy continuation");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void chatTemplateRendersAsTransformersDoes(String name) throws Exception {
        JsonNode chat = expected(name).get("chat");
        List<Message> messages = new ArrayList<>();
        for (JsonNode m : chat.get("messages")) {
            messages.add(new Message(m.get("role").asText(), m.get("content").asText()));
        }
        ChatTemplate template = ChatTemplate.of(fixture(name));
        assertEquals(ChatTemplate.Style.CHATML, template.style());
        assertEquals(chat.get("rendered_with_generation_prompt").asText(), template.render(messages, true));
        assertEquals(chat.get("rendered").asText(), template.render(messages, false));
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
