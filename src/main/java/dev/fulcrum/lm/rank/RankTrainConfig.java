package dev.fulcrum.lm.rank;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.lm.train.OptimizerSettings;
import java.util.List;

/**
 * Everything that defines a ranking run ({@code fulcrum rank train}); written resolved to the run's {@code config.json}.
 *
 * @param method          {@code contrastive} (InfoNCE warm start) or {@code pg-rank} (Neural PG-Rank)
 * @param data            a BEIR folder
 * @param split           its qrels split to train on
 * @param evalSplit       its qrels split evaluated during and after training
 * @param evalQueries     the first this many queries of the evaluation split (0: all)
 * @param init            a finished rank run or encoder folder (its encoder continues training), or a language-model run or
 *                        Hugging Face model directory (its trunk gets a new projection)
 * @param seed            projection initialisation, batches and ranking samples all derive from it
 * @param steps           optimiser updates
 * @param batchSize       queries per update
 * @param logEvery        training metrics every this many updates
 * @param evalEvery       evaluation every this many updates (and at the end)
 * @param checkpointEvery checkpoint every this many updates (and at the end)
 * @param keepCheckpoints recent checkpoints kept
 */
public record RankTrainConfig(String method, String data, String split, String evalSplit, int evalQueries, String init, long seed,
                              long steps, int batchSize, int logEvery, int evalEvery, int checkpointEvery, int keepCheckpoints,
                              EncoderSettings encoder, OptimizerSettings optimizer, ContrastiveSettings contrastive,
                              PgRankSettings pgRank) {
    public static final List<String> METHODS = List.of("contrastive", "pg-rank");

    public RankTrainConfig {
        if (method == null || !METHODS.contains(method)) {
            throw new ConfigException("method", "must be one of " + METHODS + ", got '" + method + "'");
        }
        data = data == null ? "" : data;
        init = init == null ? "" : init;
        if (split == null || split.isBlank()) {
            throw new ConfigException("split", "must name a qrels split, e.g. train");
        }
        if (evalSplit == null || evalSplit.isBlank()) {
            throw new ConfigException("evalSplit", "must name a qrels split, e.g. test");
        }
        if (evalQueries < 0) {
            throw new ConfigException("evalQueries", "must be >= 0 (0: all), got " + evalQueries);
        }
        positive("steps", steps);
        positive("batchSize", batchSize);
        positive("logEvery", logEvery);
        positive("evalEvery", evalEvery);
        positive("checkpointEvery", checkpointEvery);
        positive("keepCheckpoints", keepCheckpoints);
        if (encoder == null || optimizer == null || contrastive == null || pgRank == null) {
            throw new ConfigException(encoder == null ? "encoder" : optimizer == null ? "optimizer" : contrastive == null
                    ? "contrastive" : "pgRank", "is missing");
        }
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new ConfigException(field, "must be positive, got " + v);
        }
    }

    public static RankTrainConfig defaults(String method) {
        return new RankTrainConfig(method, "", "train", "test", 0, "", 0, 300, 16, 10, 100, 100, 2, EncoderSettings.defaults(),
                new OptimizerSettings(1e-4, 1e-5, 20, 0.01, 0.9, 0.999, 1e-8, 1.0), ContrastiveSettings.defaults(),
                PgRankSettings.defaults());
    }
}
