package dev.fulcrum.lm.rank;

import dev.fulcrum.core.config.ConfigException;

/**
 * PG-Rank's sampling ({@code pgRank.*}).
 *
 * @param candidates     candidate set per training query: its BM25 top ones, with any judged document missing from them
 *                       put in place of the lowest-ranked unjudged ones
 * @param samples        rankings sampled per query (N of the leave-one-out baseline)
 * @param cutoff         k of the nDCG@k utility
 */
public record PgRankSettings(int candidates, int samples, int cutoff) {
    public PgRankSettings {
        if (candidates < 2) {
            throw new ConfigException("pgRank.candidates", "must be at least 2, got " + candidates);
        }
        if (samples < 2) {
            throw new ConfigException("pgRank.samples", "must be at least 2 (leave-one-out baseline), got " + samples);
        }
        if (cutoff < 1) {
            throw new ConfigException("pgRank.cutoff", "must be positive, got " + cutoff);
        }
    }

    public static PgRankSettings defaults() {
        return new PgRankSettings(20, 16, 10);
    }
}
