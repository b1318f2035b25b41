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
import dev.fulcrum.core.nn.SideLane;
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

    /**
     * Decoding with a cache runs Llama's projections fused (q/k/v in one matmul, gate/up in one); with biases on every
     * projection (Llama's attention_bias plus mlp_bias) and grouped-query attention it must still give the tokens of
     * the unfused full recomputation.
     */
    @Test
    void fusedDecodingWithBiasesMatchesRecomputation() {
        LmConfig c = LmConfig.llama(40, 16, 2, 4, 2, 24, 32, 10000.0, false);
        LmConfig biased = new LmConfig(c.family(), c.vocabSize(), c.hiddenSize(), c.layers(), c.heads(), c.kvHeads(), c.headDim(),
                c.intermediateSize(), c.maxPositions(), c.normEps(), c.ropeTheta(), c.tieEmbeddings(), true, false, true, -1, -1);
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = DecoderLm.initialise(m, biased, DataType.FLOAT32, new Rng(5));
            java.util.Random r = new java.util.Random(7);
            model.parameters().forEach((name, p) -> { // biases start at 0 and norm gains at 1: give them values, so that a
                // misplaced bias or a wrongly folded gain shows
                boolean gain = name.endsWith("norm.weight");
                if (name.endsWith(".bias") || gain) {
                    float[] v = new float[Math.toIntExact(p.size())];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (gain ? 1 + 0.5 * r.nextGaussian() : r.nextGaussian());
                    }
                    p.set(java.nio.FloatBuffer.wrap(v));
                }
            });
            assertTrue(model.parameters().keySet().stream().filter(n -> n.endsWith(".bias")).count() >= 2 * 6,
                    "q/k/v/o and gate/up/down biases in both layers");
            List<int[]> prompts = List.of(new int[] {3, 17}, new int[] {9, 22, 5, 30, 11}, new int[] {7, 8, 2});
            // the prompt's hidden states through the fused projections (with a cache) equal the unfused ones (without)
            TokenBatch batch = TokenBatch.of(prompts, 0, TokenBatch.Padding.LEFT);
            try (KvCache cache = model.newCache(m, prompts.size(), batch.length() + 1)) {
                float[] unfused = model.hiddenStates(batch.idTensor(m), batch.positionTensor(m), batch.causalBias(m, DataType.FLOAT32),
                        null).toFloatArray();
                float[] fused = model.hiddenStates(batch.idTensor(m), batch.positionTensor(m), batch.causalBias(m, DataType.FLOAT32),
                        cache).toFloatArray();
                for (int i = 0; i < unfused.length; i++) {
                    assertEquals(unfused[i], fused[i], 1e-5, "hidden state " + i);
                }
                // and one decoded position (the one-query attention path) equals the last position of the recomputation
                long[] next = {4, 12, 29};
                List<int[]> extended = new java.util.ArrayList<>();
                for (int i = 0; i < prompts.size(); i++) {
                    int[] e = java.util.Arrays.copyOf(prompts.get(i), prompts.get(i).length + 1);
                    e[e.length - 1] = (int) next[i];
                    extended.add(e);
                }
                TokenBatch full = TokenBatch.of(extended, 0, TokenBatch.Padding.LEFT);
                float[] all = model.hiddenStates(full.idTensor(m), full.positionTensor(m), full.causalBias(m, DataType.FLOAT32), null)
                        .get(new ai.djl.ndarray.index.NDIndex(":, -1, :")).toFloatArray();
                boolean[] keyMask = java.util.Arrays.copyOf(full.mask(), full.mask().length);
                long[] positions = new long[prompts.size()];
                for (int i = 0; i < positions.length; i++) {
                    positions[i] = prompts.get(i).length;
                }
                float[] step = model.hiddenStates(m.create(next, new ai.djl.ndarray.types.Shape(3, 1)),
                        m.create(positions, new ai.djl.ndarray.types.Shape(3, 1)),
                        AttentionBias.causal(m, 3, 1, batch.length(), keyMask, full.length(), DataType.FLOAT32), cache).toFloatArray();
                for (int i = 0; i < all.length; i++) {
                    assertEquals(all[i], step[i], 1e-5, "decoded hidden state " + i);
                }
            }
            Generator g = new Generator(model);
            for (GenerationConfig cfg : List.of(GenerationConfig.greedy(12), GenerationConfig.sampling(12, 1.0, 0, 1.0))) {
                assertEquals(g.generate(m, prompts, cfg, new Rng(42), false), g.generate(m, prompts, cfg, new Rng(42), true),
                        cfg.toString());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {LmFixtures.GPT2, LmFixtures.LLAMA})
    void aSideLaneGivesTheSameCompletions(String name) {
        try (NDManager m = Torch.newManager(); SideLane lane = new SideLane()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(name), m, DataType.FLOAT32);
            Generator one = new Generator(model), two = new Generator(model, lane);
            for (GenerationConfig cfg : List.of(GenerationConfig.greedy(10), GenerationConfig.sampling(10, 1.0, 8, 0.95, 4))) {
                assertEquals(one.generate(m, PROMPTS, cfg, new Rng(3)), two.generate(m, PROMPTS, cfg, new Rng(3)), cfg.toString());
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
