package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.diagnostics.RankingDiagnostics;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.TinyModels;
import dev.fulcrum.lm.model.TokenBatch;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fulcrum lm diagnose} on two tiny random models gives the numbers {@link RankingDiagnostics} computes from pairs
 * scored independently here: each sequence alone through the full logits, log-softmax written out in Java doubles.
 */
class LmDiagnoseCommandTest {
    @TempDir
    Path dir;

    private static final LmConfig BYTES = LmConfig.llama(259, 16, 1, 2, 1, 24, 96, 10000.0, true)
            .withSpecialTokens(ByteTokenizer.BOS, ByteTokenizer.EOS);

    @Test
    void diagnoseMatchesIndependentlyScoredPairs() throws Exception {
        Path tokenizer = dir.resolve("tok");
        Files.createDirectories(tokenizer);
        new ByteTokenizer().toBpe().save(tokenizer.resolve("tokenizer.json"));
        List<PreferenceExample> pairs = OracleDatasets.preferences(OracleDatasets.sources(List.of("str-upper", "sort-asc"), 0, 3),
                new BradleyTerryOracle(0.2), new Rng(1), false);
        Path data = dir.resolve("p.jsonl");
        PreferenceJsonl.write(data, pairs, PreferenceFormat.STANDARD);

        List<RankingDiagnostics.Pair> independent = new ArrayList<>();
        try (NDManager m = Torch.newManager()) {
            DecoderLm policy = TinyModels.random(m, BYTES, DataType.FLOAT32, 1);
            DecoderLm reference = TinyModels.random(m, BYTES, DataType.FLOAT32, 2);
            HfCheckpoint.save(policy, dir.resolve("policy"), tokenizer);
            HfCheckpoint.save(reference, dir.resolve("reference"), tokenizer);
            for (PreferenceExample e : pairs) {
                String prompt = text(e.prompt()), chosen = text(e.chosen()), rejected = text(e.rejected());
                independent.add(new RankingDiagnostics.Pair(logProb(policy, m, prompt, chosen), logProb(policy, m, prompt, rejected),
                        logProb(reference, m, prompt, chosen), logProb(reference, m, prompt, rejected), chosen.length() + 1,
                        rejected.length() + 1, e.extra().get("p_chosen").asDouble()));
            }
        }
        RankingDiagnostics.Report expected = RankingDiagnostics.report(independent, 0.5, 0.01);

        Path out = dir.resolve("diag");
        CliTest.Outcome o = CliTest.run("lm", "diagnose", "--policy", dir.resolve("policy").toString(), "--reference",
                dir.resolve("reference").toString(), "--data", data.toString(), "--beta", "0.5", "--epsilon", "0.01",
                "--batch-size", "7", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains(pairs.size() + " pairs: ranking accuracy"), o.out());
        JsonNode all = Json.COMPACT.readTree(out.resolve("diagnostics.json").toFile()).get("reports").get("all");
        assertEquals(expected.pairs(), all.get("pairs").asInt());
        assertEquals(expected.rankingAccuracy(), all.get("rankingAccuracy").asDouble(), 1e-12);
        assertEquals(expected.lengthNormalisedRankingAccuracy(), all.get("lengthNormalisedRankingAccuracy").asDouble(), 1e-12);
        assertEquals(expected.idealisedRankingAccuracy(), all.get("idealisedRankingAccuracy").asDouble(), 1e-12);
        assertEquals(expected.alignmentGap(), all.get("alignmentGap").asDouble(), 1e-12);
        assertEquals(expected.referenceRankingAccuracy(), all.get("referenceRankingAccuracy").asDouble(), 1e-12);
        assertEquals(expected.meanDifficulty(), all.get("meanDifficulty").asDouble(), 1e-3);
        assertEquals(expected.meanDpoLoss(), all.get("meanDpoLoss").asDouble(), 1e-4);
        assertEquals(expected.flips().flippedToRight(), all.get("flips").get("flippedToRight").asInt());
        assertEquals(expected.flips().referenceWrong(), all.get("flips").get("referenceWrong").asInt());
        JsonNode reports = Json.COMPACT.readTree(out.resolve("diagnostics.json").toFile()).get("reports");
        assertTrue(reports.has("str-upper") && reports.has("sort-asc"), "per-family reports: " + reports.fieldNames());
        String md = Files.readString(out.resolve("diagnostics.md"));
        assertTrue(md.contains("| " + pairs.size() + " | all |"), md);
    }

    private static String text(Content c) {
        return ((Content.Text) c).text();
    }

    /** log pi(response <eos> | <bos> prompt), one unpadded sequence, log-softmax in doubles. */
    private static double logProb(DecoderLm model, NDManager m, String prompt, String response) {
        ByteTokenizer bytes = new ByteTokenizer();
        int[] p = bytes.encode(prompt), r = bytes.encode(response);
        int[] seq = new int[1 + p.length + r.length + 1];
        seq[0] = ByteTokenizer.BOS;
        System.arraycopy(p, 0, seq, 1, p.length);
        System.arraycopy(r, 0, seq, 1 + p.length, r.length);
        seq[seq.length - 1] = ByteTokenizer.EOS;
        try (NDScope ignored = new NDScope()) {
            float[] logits = model.logits(m, TokenBatch.of(List.of(seq), 0, TokenBatch.Padding.RIGHT)).toFloatArray();
            int v = BYTES.vocabSize();
            double total = 0;
            for (int t = p.length; t < seq.length - 1; t++) { // position t predicts token t + 1
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int k = 0; k < v; k++) {
                    max = Math.max(max, logits[t * v + k]);
                }
                for (int k = 0; k < v; k++) {
                    sum += Math.exp(logits[t * v + k] - max);
                }
                total += logits[t * v + seq[t + 1]] - max - Math.log(sum);
            }
            return total;
        }
    }
}
