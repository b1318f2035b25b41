package dev.fulcrum.lm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.nn.Torch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecoderLmTest {

    private static long count(LmConfig c) {
        return ParameterLayout.of(c).values().stream()
                .mapToLong(e -> java.util.Arrays.stream(e.shape()).reduce(1, Math::multiplyExact)).sum();
    }

    /** The layouts reproduce the published parameter counts, so every shape follows the reference architectures. */
    @Test
    void parameterCountsOfPublishedModels() {
        assertEquals(124_439_808L, count(LmConfig.gpt2(50257, 768, 12, 12, 1024)), "GPT-2 small");
        assertEquals(6_738_415_616L, count(LmConfig.llama(32000, 4096, 32, 32, 32, 11008, 4096, 10000, false)), "Llama-2-7B");
        assertEquals(1_100_048_384L, count(LmConfig.llama(32000, 2048, 22, 32, 4, 5632, 2048, 10000, false)), "TinyLlama-1.1B");
    }

    @Test
    void namesAreHuggingFaces() {
        Map<String, ParameterLayout.Entry> g = ParameterLayout.of(LmConfig.gpt2(10, 8, 1, 2, 4));
        assertTrue(g.containsKey("transformer.h.0.attn.c_attn.weight"));
        assertEquals(List.of(8L, 24L), java.util.Arrays.stream(g.get("transformer.h.0.attn.c_attn.weight").shape()).boxed().toList(),
                "Conv1D layout [in, out]");
        Map<String, ParameterLayout.Entry> l = ParameterLayout.of(LmConfig.llama(10, 8, 1, 2, 1, 12, 4, 1e4, false));
        assertEquals(List.of(4L, 8L), java.util.Arrays.stream(l.get("model.layers.0.self_attn.k_proj.weight").shape()).boxed().toList(),
                "nn.Linear layout [out, in], kv heads x head dim");
        assertTrue(l.containsKey("lm_head.weight"));
        assertTrue(!ParameterLayout.of(LmConfig.llama(10, 8, 1, 2, 1, 12, 4, 1e4, true)).containsKey("lm_head.weight"));
    }

    /** A sequence's logits do not depend on padding (left or right) or on the other rows of its batch. */
    @Test
    void paddingDoesNotChangeARowsLogits() {
        for (LmConfig c : List.of(TinyModels.GPT2, TinyModels.LLAMA)) {
            try (NDManager m = Torch.newManager(); NDScope ignored = new NDScope()) {
                DecoderLm model = TinyModels.random(m, c, DataType.FLOAT32, 5);
                int[] seq = {3, 1, 4, 1, 5};
                float[] alone = model.logits(m, TokenBatch.of(List.of(seq), 0, TokenBatch.Padding.RIGHT)).toFloatArray();
                List<int[]> batch = List.of(new int[] {2, 7, 1, 8, 2, 8, 1, 8}, seq);
                int v = c.vocabSize();
                for (TokenBatch.Padding padding : TokenBatch.Padding.values()) {
                    float[] all = model.logits(m, TokenBatch.of(batch, 0, padding)).toFloatArray();
                    int offset = padding == TokenBatch.Padding.LEFT ? 3 : 0;
                    for (int t = 0; t < seq.length; t++) {
                        for (int k = 0; k < v; k++) {
                            assertEquals(alone[t * v + k], all[(8 + offset + t) * v + k], 1e-5, c.family() + " " + padding);
                        }
                    }
                }
            }
        }
    }

    @Test
    void badShapesAreNamed() {
        assertEquals("kvHeads", assertThrows(ConfigException.class, () -> LmConfig.llama(10, 8, 1, 4, 3, 12, 4, 1e4, false)).field());
        assertEquals("heads", assertThrows(ConfigException.class, () -> LmConfig.gpt2(10, 10, 1, 4, 4)).field());
        assertEquals("vocabSize", assertThrows(ConfigException.class, () -> LmConfig.gpt2(0, 8, 1, 2, 4)).field());
        try (NDManager m = Torch.newManager(); NDScope ignored = new NDScope()) {
            DecoderLm model = TinyModels.random(m, TinyModels.GPT2, DataType.FLOAT32, 1);
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> model.logits(m, TokenBatch.of(List.of(new int[17]), 0, TokenBatch.Padding.RIGHT))).getMessage();
            assertTrue(msg.contains("maxPositions 16"), msg);
        }
    }
}
