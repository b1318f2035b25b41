package dev.fulcrum.lm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.LmFixtures;
import dev.fulcrum.lm.model.TokenBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfCheckpointTest {
    @TempDir
    Path tmp;

    private static void assertSameParameters(DecoderLm a, DecoderLm b) {
        assertEquals(a.config(), b.config());
        assertEquals(a.parameters().keySet(), b.parameters().keySet());
        a.parameters().forEach((name, p) -> {
            NDArray q = b.parameters().get(name);
            assertEquals(p.getShape(), q.getShape(), name);
            assertArrayEquals(p.toByteArray(), q.toByteArray(), name);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {LmFixtures.GPT2, LmFixtures.LLAMA})
    void saveThenLoadIsBitExact(String name) throws Exception {
        try (NDManager m = Torch.newManager()) {
            DecoderLm loaded = HfCheckpoint.load(LmFixtures.dir(name), m, DataType.FLOAT32);
            Path out = tmp.resolve("saved-" + name);
            HfCheckpoint.save(loaded, out, LmFixtures.dir(name));
            DecoderLm back = HfCheckpoint.load(out, m, DataType.FLOAT32);
            assertSameParameters(loaded, back);
            assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
            assertEquals(name.equals(LmFixtures.GPT2), Files.isRegularFile(out.resolve("tokenizer.json")),
                    "tokenizer files are copied when the source has them");
            try (var files = Files.list(tmp)) {
                assertEquals(1, files.count(), "no temporary folder may remain");
            }
            Safetensors.Contents c = Safetensors.read(out.resolve("model.safetensors"));
            assertEquals("pt", c.metadata().get("format"));
            assertFalse(c.tensors().containsKey("lm_head.weight") && loaded.config().tieEmbeddings(), "a tied head is not stored");
            c.tensors().values().forEach(t -> assertEquals("F32", t.dtype()));
        }
    }

    @Test
    void freshModelsRoundTripInFloat64AndTied() {
        LmConfig tied = LmConfig.llama(40, 16, 2, 4, 1, 24, 32, 500000.0, true).withSpecialTokens(1, 2);
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = DecoderLm.initialise(m, tied, DataType.FLOAT64, new Rng(3));
            Path out = tmp.resolve("tied");
            HfCheckpoint.save(model, out, null);
            DecoderLm back = HfCheckpoint.load(out, m, DataType.FLOAT64);
            assertSameParameters(model, back);
            assertFalse(Safetensors.read(out.resolve("model.safetensors")).tensors().containsKey("lm_head.weight"));
            // saving again over the existing folder replaces the files in place
            HfCheckpoint.save(back, out, null);
            assertSameParameters(model, HfCheckpoint.load(out, m, DataType.FLOAT64));
        }
    }

    @Test
    void loadedModelsComputeTheSameLogits() {
        try (NDManager m = Torch.newManager(); NDScope ignored = new NDScope()) {
            DecoderLm a = HfCheckpoint.load(LmFixtures.dir(LmFixtures.LLAMA), m, DataType.FLOAT32);
            Path out = tmp.resolve("again");
            HfCheckpoint.save(a, out, null);
            DecoderLm b = HfCheckpoint.load(out, m, DataType.FLOAT32);
            TokenBatch batch = TokenBatch.of(List.of(new int[] {1, 5, 9, 3}, new int[] {4, 4}), 0, TokenBatch.Padding.RIGHT);
            assertArrayEquals(a.logits(m, batch).toFloatArray(), b.logits(m, batch).toFloatArray());
        }
    }

    /** GPT-2 files saved from GPT2Model have no "transformer." prefix and carry attention-mask buffers. */
    @Test
    void gpt2WithoutPrefixAndWithBuffersLoads() throws Exception {
        Path dir = tmp.resolve("bare-gpt2");
        Files.createDirectories(dir);
        Files.copy(LmFixtures.dir(LmFixtures.GPT2).resolve("config.json"), dir.resolve("config.json"));
        Map<String, Safetensors.Tensor> bare = new LinkedHashMap<>();
        Safetensors.read(LmFixtures.dir(LmFixtures.GPT2).resolve("model.safetensors")).tensors()
                .forEach((k, v) -> bare.put(k.substring("transformer.".length()), v));
        bare.put("h.0.attn.bias", new Safetensors.Tensor("F32", new long[] {1}, new byte[4]));
        bare.put("h.0.attn.masked_bias", new Safetensors.Tensor("F32", new long[] {1}, new byte[4]));
        Safetensors.writeRaw(dir.resolve("model.safetensors"), bare, Map.of());
        try (NDManager m = Torch.newManager()) {
            assertSameParameters(HfCheckpoint.load(LmFixtures.dir(LmFixtures.GPT2), m, DataType.FLOAT32),
                    HfCheckpoint.load(dir, m, DataType.FLOAT32));
        }
    }

    @Test
    void brokenCheckpointsFailNamingTheProblem() throws Exception {
        Path src = LmFixtures.dir(LmFixtures.GPT2);
        Map<String, Safetensors.Tensor> tensors = Safetensors.read(src.resolve("model.safetensors")).tensors();

        Path missing = copyWith(src, "missing", drop(tensors, "transformer.h.1.mlp.c_fc.bias"));
        assertError(missing, "missing tensors transformer.h.1.mlp.c_fc.bias");

        Map<String, Safetensors.Tensor> extra = new LinkedHashMap<>(tensors);
        extra.put("transformer.h.9.attn.c_attn.weight", tensors.get("transformer.h.0.attn.c_attn.weight"));
        assertError(copyWith(src, "extra", extra), "unexpected tensors transformer.h.9.attn.c_attn.weight");

        Map<String, Safetensors.Tensor> wrongShape = new LinkedHashMap<>(tensors);
        Safetensors.Tensor w = tensors.get("transformer.wpe.weight");
        wrongShape.put("transformer.wpe.weight", new Safetensors.Tensor("F32", new long[] {w.shape()[1], w.shape()[0]}, w.data()));
        assertError(copyWith(src, "shape", wrongShape), "transformer.wpe.weight has shape");

        Path noWeights = tmp.resolve("noweights");
        Files.createDirectories(noWeights);
        Files.copy(src.resolve("config.json"), noWeights.resolve("config.json"));
        assertError(noWeights, "neither model.safetensors nor model.safetensors.index.json");

        Path shard = tmp.resolve("shard");
        Files.createDirectories(shard);
        Path llama = LmFixtures.dir(LmFixtures.LLAMA);
        for (String f : List.of("config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors")) {
            Files.copy(llama.resolve(f), shard.resolve(f));
        }
        assertError(shard, "shard model-00002-of-00002.safetensors is listed but missing");

        assertError(tmp.resolve("nothing-here"), "not a model directory");
    }

    private Path copyWith(Path src, String name, Map<String, Safetensors.Tensor> tensors) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Safetensors.writeRaw(dir.resolve("model.safetensors"), tensors, Map.of());
        return dir;
    }

    private static Map<String, Safetensors.Tensor> drop(Map<String, Safetensors.Tensor> tensors, String name) {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>(tensors);
        out.remove(name);
        return out;
    }

    private static void assertError(Path dir, String expected) {
        try (NDManager m = Torch.newManager()) {
            String msg = assertThrows(IllegalArgumentException.class, () -> HfCheckpoint.load(dir, m, DataType.FLOAT32)).getMessage();
            assertTrue(msg.contains(expected), msg);
            assertTrue(msg.contains(dir.toString()) || msg.contains(dir.getFileName().toString()), "names the folder: " + msg);
        }
    }
}
