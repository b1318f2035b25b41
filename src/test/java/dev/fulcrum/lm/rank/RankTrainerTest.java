package dev.fulcrum.lm.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.experiment.lm.BaseSft;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both methods write a complete run directory and an encoder that loads back with the same retrieval results; an
 * interrupted and resumed PG-Rank run ends with the same encoder and metrics as an uninterrupted one.
 */
class RankTrainerTest {

    private static RankTrainConfig config(String method, Path data, String init, long steps, String... extra) {
        List<String> o = new ArrayList<>(List.of("data=" + data, "init=" + init, "steps=" + steps, "batchSize=3", "logEvery=1",
                "evalEvery=100", "checkpointEvery=2", "evalQueries=6", "encoder.dimension=16", "encoder.maxTokens=48",
                "pgRank.candidates=6", "pgRank.samples=4", "contrastive.candidates=6", "optimizer.warmupSteps=1"));
        o.addAll(List.of(extra));
        return ConfigLoader.load(RankTrainConfig.class, RankTrainConfig.defaults(method), null, o);
    }

    @Test
    void contrastiveThenPgRankWithResume(@TempDir Path tmp) throws Exception {
        Path base = BaseSft.obtain(BaseSft.Spec.smoke(), tmp.resolve("cache"), false);
        Path data = tmp.resolve("data");
        RetrievalCorpus.Sizes sizes = new RetrievalCorpus.Sizes(9, 3, 1.0 / 3);
        RetrievalCorpus.write(RetrievalCorpus.generate(0, sizes), data, 0, sizes);
        Path inDomain = data.resolve(RetrievalCorpus.IN_DOMAIN);

        Path warm = tmp.resolve("warm");
        RankTrainer.Result w = new RankTrainer(config("contrastive", inDomain, base.toString(), 3), warm).fit();
        assertEquals(3, w.stepsDone());
        for (String f : List.of("config.json", "metrics.jsonl", "summary.json", "report.md", "encoder/encoder.json",
                "encoder/projection.safetensors", "encoder/model/model.safetensors", "encoder/model/tokenizer.json")) {
            assertTrue(Files.isRegularFile(warm.resolve(f)), f);
        }
        double ndcg = w.finalEvaluation().get("ndcg@10");
        assertTrue(ndcg >= 0 && ndcg <= 1, "nDCG " + ndcg);

        // the saved encoder reproduces the run's final evaluation
        try (NDManager m = Torch.newManager()) {
            DualEncoder loaded = DualEncoder.load(RankTrainer.encoderDir(warm), m);
            Retrieval eval = Retrieval.read(inDomain, "test", 6);
            assertEquals(ndcg, RankTrainer.evaluate(m, loaded, eval).ndcg10(), 1e-6);
        }

        Path full = tmp.resolve("pg-full"), cut = tmp.resolve("pg-cut");
        new RankTrainer(config("pg-rank", inDomain, warm.toString(), 4), full).fit();
        new RankTrainer(config("pg-rank", inDomain, warm.toString(), 4), cut).stopAfter(2).fit();
        assertTrue(!Files.exists(cut.resolve("summary.json")));
        new RankTrainer(config("pg-rank", inDomain, warm.toString(), 4), cut).resume(true).fit();
        var a = Safetensors.read(full.resolve("encoder/projection.safetensors")).tensors();
        var b = Safetensors.read(cut.resolve("encoder/projection.safetensors")).tensors();
        assertArrayEquals(a.get("weight").data(), b.get("weight").data());
        assertArrayEquals(Files.readAllBytes(full.resolve("encoder/model/model.safetensors")),
                Files.readAllBytes(cut.resolve("encoder/model/model.safetensors")));
        List<JsonNode> ma = MetricsLog.read(full.resolve("metrics.jsonl")), mb = MetricsLog.read(cut.resolve("metrics.jsonl"));
        assertEquals(ma, mb);
        String summary = Files.readString(cut.resolve("summary.json"));
        RankTrainer.Result again = new RankTrainer(config("pg-rank", inDomain, warm.toString(), 4), cut).resume(true).fit();
        assertEquals(null, again.finalEvaluation());
        assertEquals(summary, Files.readString(cut.resolve("summary.json")));
        assertTrue(ma.stream().anyMatch(r -> r.has("sampled_ndcg")));
    }

    @Test
    void clearErrors(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RankTrainer(config("contrastive", tmp, "", 1), tmp.resolve("run")).fit());
        assertTrue(e.getMessage().contains("--init"), e.getMessage());
        assertThrows(dev.fulcrum.core.config.ConfigException.class, () -> config("listwise", tmp, "x", 1));
    }
}
