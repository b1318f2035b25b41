package dev.fulcrum.lm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.LmFixtures;
import dev.fulcrum.lm.model.TokenBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hugging Face checkpoints written by scripts/fixtures/make_tiny_lm.py (a GPT-2 in F32, a grouped-query Llama in BF16
 * split over two shards) load and give the logits of the script's independent float64 torch forward, on a batch with a
 * full row, a left-padded row and a right-padded row.
 */
class GoldenLogitsTest {
    private static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {LmFixtures.GPT2, LmFixtures.LLAMA})
    void logitsMatchTheReferenceForward(String name) {
        JsonNode ref = LmFixtures.expected(name);
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(LmFixtures.dir(name), m, DataType.FLOAT32);
            assertEquals(name.equals(LmFixtures.GPT2) ? LmConfig.Family.GPT2 : LmConfig.Family.LLAMA, model.config().family());
            var ids = LmFixtures.rows(ref.get("input_ids"));
            var mask = LmFixtures.rows(ref.get("attention_mask"));
            int rows = ids.size(), length = ids.get(0).length;
            long[] flatIds = new long[rows * length];
            boolean[] flatMask = new boolean[rows * length];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < length; j++) {
                    flatIds[r * length + j] = ids.get(r)[j];
                    flatMask[r * length + j] = mask.get(r)[j] == 1;
                }
            }
            double[] expected = LmFixtures.doubles(ref.get("logits").get("data"));
            int vocab = model.config().vocabSize();
            assertArrayEquals(new long[] {rows, length, vocab}, new long[] {ref.get("logits").get("shape").get(0).asLong(),
                    ref.get("logits").get("shape").get(1).asLong(), ref.get("logits").get("shape").get(2).asLong()});
            try (NDScope ignored = new NDScope()) {
                float[] logits = model.logits(m, new TokenBatch(rows, length, flatIds, flatMask)).toFloatArray();
                double worst = 0;
                int compared = 0;
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < length; j++) {
                        if (!flatMask[r * length + j]) {
                            continue;
                        }
                        for (int v = 0; v < vocab; v++) {
                            int i = (r * length + j) * vocab + v;
                            worst = Math.max(worst, Math.abs(logits[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
                            compared++;
                        }
                    }
                }
                assertTrue(worst < TOL, name + ": worst error " + worst + " over " + compared + " logits");
            }
        }
    }
}
