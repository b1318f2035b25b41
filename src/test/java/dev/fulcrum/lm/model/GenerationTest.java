package dev.fulcrum.lm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.io.HfCheckpoint;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenerationTest {
    private static final List<int[]> PROMPTS = List.of(new int[] {3, 17}, new int[] {9, 22, 5, 30, 11}, new int[] {7, 8, 2});

    @ParameterizedTest
    @ValueSource(strings = {LmFixtures.GPT2, LmFixtures.LLAMA})
    void greedyMatchesTheReferenceWithAndWithoutCache(String name) {
        JsonNode ref = LmFixtures.expected(name).get("greedy");
        int[] prompt = LmFixtures.ints(ref.get("prompt"));
        int[] expected = LmFixtures.ints(ref.get("tokens"));
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(name), m, DataType.FLOAT32);
            Generator g = new Generator(model);
            GenerationConfig cfg = GenerationConfig.greedy(expected.length);
            for (boolean cache : new boolean[] {true, false}) {
                Completion c = g.generate(m, List.of(prompt), cfg, new Rng(0), cache).getFirst();
                assertArrayEquals(expected, c.tokens(), name + " cache=" + cache);
                assertFalse(c.stopped());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {LmFixtures.GPT2, LmFixtures.LLAMA})
    void cacheGivesTheSameTokensAsRecomputation(String name) {
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(name), m, DataType.FLOAT32);
            Generator g = new Generator(model);
            List<GenerationConfig> configs = List.of(GenerationConfig.greedy(12),
                    GenerationConfig.sampling(12, 1.0, 0, 1.0),
                    GenerationConfig.sampling(12, 0.7, 10, 0.9),
                    GenerationConfig.sampling(12, 1.3, 0, 0.8, 5, 6, 7));
            for (GenerationConfig cfg : configs) {
                List<Completion> cached = g.generate(m, PROMPTS, cfg, new Rng(42), true);
                List<Completion> full = g.generate(m, PROMPTS, cfg, new Rng(42), false);
                assertEquals(full, cached, name + " " + cfg);
            }
        }
    }

    @Test
    void rowsDoNotDependOnTheirBatch() {
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(LmFixtures.LLAMA), m, DataType.FLOAT32);
            Generator g = new Generator(model);
            GenerationConfig cfg = GenerationConfig.greedy(10);
            List<Completion> batched = g.generate(m, PROMPTS, cfg, new Rng(1));
            for (int i = 0; i < PROMPTS.size(); i++) {
                assertEquals(g.generate(m, List.of(PROMPTS.get(i)), cfg, new Rng(1)).getFirst(), batched.get(i), "row " + i);
            }
        }
    }

    @Test
    void stopTokensEndRowsAndAreKept() {
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(LmFixtures.GPT2), m, DataType.FLOAT32);
            Generator g = new Generator(model);
            JsonNode ref = LmFixtures.expected(LmFixtures.GPT2).get("greedy");
            int[] prompt = LmFixtures.ints(ref.get("prompt"));
            int[] tokens = LmFixtures.ints(ref.get("tokens"));
            int stop = tokens[2]; // the third greedy token: the row must end right there
            int firstAt = 0;
            while (tokens[firstAt] != stop) {
                firstAt++;
            }
            List<Completion> out = g.generate(m, List.of(prompt, new int[] {9, 9}), GenerationConfig.greedy(8, stop), new Rng(0));
            Completion c = out.getFirst();
            assertTrue(c.stopped());
            assertEquals(firstAt + 1, c.length());
            assertEquals(stop, c.tokens()[c.length() - 1]);
            Completion other = out.get(1);
            assertTrue(other.stopped() || other.length() == 8, other.toString());
        }
    }

    @Test
    void seedsFixSamples() {
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(LmFixtures.LLAMA), m, DataType.FLOAT32);
            Generator g = new Generator(model);
            GenerationConfig cfg = GenerationConfig.sampling(16, 1.0, 0, 1.0);
            assertEquals(g.generate(m, PROMPTS, cfg, new Rng(7)), g.generate(m, PROMPTS, cfg, new Rng(7)));
            assertNotEquals(g.generate(m, PROMPTS, cfg, new Rng(7)), g.generate(m, PROMPTS, cfg, new Rng(8)));
        }
    }

    @Test
    void badRequestsFailClearly() {
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(LmFixtures.GPT2), m, DataType.FLOAT32);
            Generator g = new Generator(model);
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> g.generate(m, List.of(new int[] {1}), GenerationConfig.greedy(40), new Rng(0))).getMessage();
            assertTrue(msg.contains("maxPositions"), msg);
            msg = assertThrows(IllegalArgumentException.class,
                    () -> g.generate(m, List.of(new int[0]), GenerationConfig.greedy(4), new Rng(0))).getMessage();
            assertTrue(msg.contains("prompt 0 is empty"), msg);
            msg = assertThrows(IllegalArgumentException.class, () -> GenerationConfig.sampling(4, 1.0, 0, 0)).getMessage();
            assertTrue(msg.contains("topP"), msg);
        }
    }
}
