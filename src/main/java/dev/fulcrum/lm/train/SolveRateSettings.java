package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigException;

/**
 * How a policy is evaluated on task problems ({@code eval.*}): greedy generation on fresh problems of each family, scored
 * by the family's gold reward.
 *
 * @param families          family list as {@code TaskSuite.select} reads it, or {@code auto}: the families of the
 *                          training data (held-in) plus every held-out family
 * @param problemsPerFamily problems generated per family (those whose prompt occurs in the training data are skipped)
 * @param seed              problem seed; differs from {@code make-data}'s default 0 so the problems are new
 * @param maxNewTokens      response budget in tokens, tool results included
 * @param maxToolCalls      tool calls executed per response
 * @param batchSize         prompts decoded together
 */
public record SolveRateSettings(String families, int problemsPerFamily, long seed, int maxNewTokens, int maxToolCalls,
                                int batchSize) {
    public SolveRateSettings {
        if (families == null || families.isBlank()) {
            throw new ConfigException("eval.families", "must be 'auto' or a family list, got '" + families + "'");
        }
        if (problemsPerFamily <= 0) {
            throw new ConfigException("eval.problemsPerFamily", "must be positive, got " + problemsPerFamily);
        }
        if (maxNewTokens <= 0) {
            throw new ConfigException("eval.maxNewTokens", "must be positive, got " + maxNewTokens);
        }
        if (maxToolCalls < 0) {
            throw new ConfigException("eval.maxToolCalls", "must be >= 0, got " + maxToolCalls);
        }
        if (batchSize <= 0) {
            throw new ConfigException("eval.batchSize", "must be positive, got " + batchSize);
        }
    }

    public static SolveRateSettings defaults() {
        return new SolveRateSettings("auto", 25, 1_000_003, 200, 4, 64);
    }
}
