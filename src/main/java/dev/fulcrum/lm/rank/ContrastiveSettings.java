package dev.fulcrum.lm.rank;

import dev.fulcrum.core.config.ConfigException;

/**
 * The contrastive warm start's negatives ({@code contrastive.*}).
 *
 * @param negatives  candidate negatives per query, drawn from the query's BM25 top {@code candidates} without its
 *                   answer (grade-2) document; the other queries' documents of the batch are the in-batch negatives
 * @param candidates size of the BM25 candidate pool the negatives come from
 */
public record ContrastiveSettings(int negatives, int candidates) {
    public ContrastiveSettings {
        if (negatives < 0) {
            throw new ConfigException("contrastive.negatives", "must be >= 0, got " + negatives);
        }
        if (candidates < negatives + 1) {
            throw new ConfigException("contrastive.candidates", "must exceed contrastive.negatives, got " + candidates);
        }
    }

    public static ContrastiveSettings defaults() {
        return new ContrastiveSettings(2, 20);
    }
}
