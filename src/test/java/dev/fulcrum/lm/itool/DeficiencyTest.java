package dev.fulcrum.lm.itool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.TokenBatch;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import dev.fulcrum.lm.train.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Perplexity of gold responses against a row-by-row log-softmax in Java; the top-ratio selection by hand. */
class DeficiencyTest {
    @Test
    void perplexityMatchesAnIndependentComputation() {
        ByteTokenizer tok = new ByteTokenizer();
        List<String> prompts = List.of("Compute 12*3 with the calculator.\n", "sort: 3 1 2\n", "x\n");
        List<String> responses = List.of("<call>calc(12*3)</call><result>36</result>Answer: 36", "1 2 3", "a longer response here");
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = DecoderLm.initialise(manager, ModelSpec.tiny().toConfig(tok), DataType.FLOAT32, new Rng(4));
            double[] batched = Deficiency.perplexities(model, tok, manager, prompts, responses, 2);
            for (int i = 0; i < prompts.size(); i++) {
                // <bos> prompt response <eos>, one row alone; log-softmax of every predicting position in double precision
                int[] p = tok.encode(prompts.get(i)), r = tok.encode(responses.get(i));
                int[] seq = new int[1 + p.length + r.length + 1];
                seq[0] = ByteTokenizer.BOS;
                System.arraycopy(p, 0, seq, 1, p.length);
                System.arraycopy(r, 0, seq, 1 + p.length, r.length);
                seq[seq.length - 1] = ByteTokenizer.EOS;
                NDArray logits = model.logits(manager, TokenBatch.of(List.of(seq), 0, TokenBatch.Padding.RIGHT));
                float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
                int vocab = (int) logits.getShape().get(2);
                double nll = 0;
                int targets = r.length + 1;
                for (int t = p.length; t < seq.length - 1; t++) { // position t predicts token t + 1
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int v = 0; v < vocab; v++) {
                        max = Math.max(max, flat[t * vocab + v]);
                    }
                    for (int v = 0; v < vocab; v++) {
                        sum += Math.exp(flat[t * vocab + v] - max);
                    }
                    nll -= flat[t * vocab + seq[t + 1]] - max - Math.log(sum);
                }
                assertEquals(Math.exp(nll / targets), batched[i], 1e-3 * batched[i], "row " + i);
            }
        }
    }

    @Test
    void mostDeficientKeepsTheHighestPerplexities() {
        double[] ppl = {3.0, 9.0, 1.0, 9.0, 5.0, 2.0, 7.0, 4.0, 6.0, 8.0};
        assertArrayEquals(new int[] {1, 3, 9}, Deficiency.mostDeficient(ppl, 0.3)); // int(10 * 0.3) = 3; ties: lower index first
        assertArrayEquals(new int[] {1}, Deficiency.mostDeficient(new double[] {1, 2}, 0.3)); // at least one
        assertArrayEquals(new int[] {1, 3, 9, 6, 8, 4, 7, 0, 5, 2}, Deficiency.mostDeficient(ppl, 1.0));
        assertThrows(IllegalArgumentException.class, () -> Deficiency.mostDeficient(ppl, 0));
    }
}
