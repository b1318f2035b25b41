package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.rank.RetrievalCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The experiment end to end on a tiny benchmark and the smoke base model: runs, report with tables, plot and verdict. */
class PgRankExperimentTest {

    @Test
    void writesReport(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        PgRankExperiment.Settings s = new PgRankExperiment.Settings(BaseSft.Spec.smoke(), 2, 0, 0,
                new RetrievalCorpus.Sizes(9, 3, 1.0 / 3), 2, 2, 1, true, List.of("batchSize=3", "pgRank.candidates=6",
                "pgRank.samples=4", "contrastive.candidates=6", "encoder.dimension=16", "optimizer.warmupSteps=1"),
                tmp.resolve("work"), tmp.resolve("docs/pg-rank.md"));
        PgRankExperiment.Outcome o = PgRankExperiment.run(s, cache, false);
        String md = Files.readString(s.report());
        assertTrue(md.contains("| pg-rank |") && md.contains("| contrastive-continued |") && md.contains("BM25 (reference)"), md);
        assertTrue(md.contains("## Verdict") && md.contains(o.inDomainVerdict()), md);
        assertTrue(Files.isRegularFile(tmp.resolve("docs/pg-rank-curves.png")));
        assertTrue(Files.isRegularFile(tmp.resolve("work/runs/pg-rank-seed1/encoder/encoder.json")));
    }
}
