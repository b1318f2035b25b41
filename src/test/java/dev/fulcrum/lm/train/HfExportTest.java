package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.TokenBatch;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.tokenize.Tokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported model directory of a finished run loads back: through {@link HfCheckpoint} (SFT) or
 * {@link RewardModel#load} (reward) with exactly the trained weights, a {@code tokenizer.json} that encodes as the run's
 * byte tokenizer did, and the {@code config.json} fields Hugging Face's classes read.
 */
class HfExportTest {
    @TempDir
    Path dir;

    private static final List<String> TEXTS = List.of("uppercase: zelu\n", "sort: 30 71 3\n", "héllo <|eos|> wörld ∑", "");

    private static List<String> micro(String... more) {
        List<String> all = new ArrayList<>(List.of(LmRuns.MICRO_MODEL));
        all.addAll(List.of("steps=6", "logEvery=3", "evalEvery=100", "eval.problemsPerFamily=2", "eval.maxNewTokens=8"));
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void sftModelDirectoryRoundTrips() throws Exception {
        Path data = LmRuns.sftData(dir, 10, "str-upper");
        Path run = dir.resolve("sft");
        new LmTrainer(LmRuns.config("sft", data, micro().toArray(String[]::new)), run).fit();
        Path model = run.resolve(LmTrainer.MODEL_DIR);

        Tokenizer shipped = Tokenizers.open(model.toString());
        ByteTokenizer bytes = new ByteTokenizer();
        assertEquals(bytes.vocabSize(), shipped.vocabSize());
        assertEquals(bytes.special(), shipped.special());
        for (String t : TEXTS) {
            assertArrayEquals(bytes.encode(t), shipped.encode(t), t);
        }
        JsonNode config = Json.COMPACT.readTree(model.resolve("config.json").toFile());
        assertEquals("llama", config.get("model_type").asText());
        assertEquals(ByteTokenizer.BOS, config.get("bos_token_id").asInt());
        assertEquals(ByteTokenizer.EOS, config.get("eos_token_id").asInt());
        assertEquals(259, config.get("vocab_size").asInt());

        Safetensors.Contents last = Safetensors.read(RunDirectory.open(run).latestCheckpoint().orElseThrow());
        try (NDManager m = Torch.newManager()) {
            DecoderLm loaded = HfCheckpoint.load(model, m, DataType.FLOAT32);
            loaded.parameters().forEach((name, p) -> assertArrayEquals(last.tensors().get("param." + name).data(),
                    Safetensors.Tensor.of(p).data(), name));
            try (NDScope ignored = new NDScope()) {
                TokenBatch b = TokenBatch.of(List.of(bytes.encode("uppercase: kamo\nKA")), 0, TokenBatch.Padding.RIGHT);
                NDArray logits = loaded.logits(m, b);
                assertTrue(logits.isNaN().any().getBoolean() == false);
            }
        }
    }

    @Test
    void rewardModelDirectoryRoundTrips() throws Exception {
        Path data = LmRuns.preferenceData(dir, 6, "str-upper");
        Path run = dir.resolve("reward");
        new LmTrainer(LmRuns.config("reward", data, micro("reward.heldOutFraction=0.2").toArray(String[]::new)), run).fit();
        Path model = run.resolve(LmTrainer.MODEL_DIR);

        JsonNode config = Json.COMPACT.readTree(model.resolve("config.json").toFile());
        assertEquals("LlamaForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals(1, config.get("num_labels").asInt());
        assertEquals(ByteTokenizer.PAD, config.get("pad_token_id").asInt());
        Safetensors.Contents weights = Safetensors.read(model.resolve("model.safetensors"));
        assertArrayEquals(new long[] {1, 32}, weights.tensors().get(RewardModel.HEAD).shape());

        Safetensors.Contents last = Safetensors.read(RunDirectory.open(run).latestCheckpoint().orElseThrow());
        try (NDManager m = Torch.newManager()) {
            RewardModel loaded = RewardModel.load(model, m, DataType.FLOAT32);
            assertEquals(weights.tensors().keySet(), loaded.parameters().keySet());
            for (Map.Entry<String, NDArray> e : loaded.parameters().entrySet()) {
                assertArrayEquals(last.tensors().get("param." + e.getKey()).data(), Safetensors.Tensor.of(e.getValue()).data(),
                        e.getKey());
            }
            ByteTokenizer bytes = new ByteTokenizer();
            List<int[]> seqs = List.of(bytes.encode("uppercase: ab\nAB"), bytes.encode("sort: 3 1\n1 3 and more"));
            double[] together = loaded.score(m, seqs, 2);
            assertEquals(loaded.score(m, seqs.subList(0, 1), 1)[0], together[0], 1e-5, "padding does not change a reward");
            assertEquals(loaded.score(m, seqs.subList(1, 2), 1)[0], together[1], 1e-5);
        }
    }
}
