package dev.fulcrum.lm.itool;

import dev.fulcrum.core.config.ConfigException;

/**
 * Everything that defines an iTool run ({@link ITool}); loaded by {@code ConfigLoader} (defaults, a YAML/JSON file,
 * {@code key=value} overrides) and written resolved to {@code RUN/config.json}.
 *
 * @param init                 the model to start from: a Hugging Face model directory or a finished run (plain text
 *                             prompts; a model with a chat template is refused)
 * @param families             task families of the synthetic SFT data (as {@code TaskSuite.select})
 * @param problemsPerFamily    SFT problems per family (the warm-up data)
 * @param dataSeed             problem seed of the SFT data
 * @param seed                 sampling, search and training seed
 * @param warmupSteps          warm-up SFT updates on the data ordered easy to hard; 0: no warm-up, {@code init} as it is
 * @param sftLearningRate      warm-up peak learning rate
 * @param batchSize            SFT examples or preference pairs per update
 * @param iterations           T: rounds of deficiency selection, search and preference update
 * @param searchPoolPerFamily  the first this many SFT problems of each family form the pool the deficiency selection ranks
 * @param deficiencyRatio      share of the pool (highest perplexity first) that is searched (0.3)
 * @param mctsIterations       search iterations per problem
 * @param mctsWidth            candidate steps sampled per expansion (3)
 * @param mctsDepth            steps in the tree (3)
 * @param exploration          UCT exploration c (1.0)
 * @param minGap               least value gap of a step-level pair (0.1)
 * @param temperature          sampling temperature of the search's continuations
 * @param maxNewTokens         response budget in tokens (tool results included), search and evaluation
 * @param maxToolCalls         tool calls executed per response
 * @param preferenceSteps      SimPO updates per iteration
 * @param preferenceLearningRate SimPO peak learning rate
 * @param simpoBeta            SimPO beta (2.5)
 * @param simpoGamma           SimPO target margin gamma (0.5)
 * @param evalFamilies         families whose fresh problems measure each stage (greedy solve rate)
 * @param evalProblems         evaluation problems per family
 * @param evalSeed             evaluation problem seed (problems whose prompt is in the SFT data are skipped)
 */
public record IToolConfig(String init, String families, int problemsPerFamily, long dataSeed, long seed, long warmupSteps,
                          double sftLearningRate, int batchSize, int iterations, int searchPoolPerFamily, double deficiencyRatio,
                          int mctsIterations, int mctsWidth, int mctsDepth, double exploration, double minGap, double temperature,
                          int maxNewTokens, int maxToolCalls, long preferenceSteps, double preferenceLearningRate, double simpoBeta,
                          double simpoGamma, String evalFamilies, int evalProblems, long evalSeed) {
    public IToolConfig {
        init = init == null ? "" : init;
        if (families == null || families.isBlank()) {
            throw new ConfigException("families", "must name the task families of the SFT data");
        }
        positive("problemsPerFamily", problemsPerFamily);
        if (warmupSteps < 0) {
            throw new ConfigException("warmupSteps", "must be >= 0, got " + warmupSteps);
        }
        positive("batchSize", batchSize);
        if (iterations < 0) {
            throw new ConfigException("iterations", "must be >= 0, got " + iterations);
        }
        positive("searchPoolPerFamily", searchPoolPerFamily);
        if (searchPoolPerFamily > problemsPerFamily) {
            throw new ConfigException("searchPoolPerFamily", "must not exceed problemsPerFamily " + problemsPerFamily + ", got "
                    + searchPoolPerFamily);
        }
        if (!(deficiencyRatio > 0 && deficiencyRatio <= 1)) {
            throw new ConfigException("deficiencyRatio", "must lie in (0, 1], got " + deficiencyRatio);
        }
        positive("mctsIterations", mctsIterations);
        positive("mctsWidth", mctsWidth);
        positive("mctsDepth", mctsDepth);
        if (!(exploration >= 0) || !(minGap >= 0)) {
            throw new ConfigException("exploration", "exploration and minGap must be >= 0");
        }
        if (!(temperature > 0)) {
            throw new ConfigException("temperature", "must be positive (the search samples), got " + temperature);
        }
        positive("maxNewTokens", maxNewTokens);
        if (maxToolCalls < 0) {
            throw new ConfigException("maxToolCalls", "must be >= 0, got " + maxToolCalls);
        }
        positive("preferenceSteps", preferenceSteps);
        if (!(sftLearningRate > 0) || !(preferenceLearningRate > 0)) {
            throw new ConfigException("preferenceLearningRate", "learning rates must be positive");
        }
        if (!(simpoBeta > 0) || !(simpoGamma >= 0)) {
            throw new ConfigException("simpoBeta", "beta must be positive and gamma >= 0");
        }
        if (evalFamilies == null || evalFamilies.isBlank()) {
            throw new ConfigException("evalFamilies", "must name the families to evaluate on");
        }
        positive("evalProblems", evalProblems);
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new ConfigException(field, "must be positive, got " + v);
        }
    }

    /** The paper's search and update settings (3 actions, depth 3, c 1.0, gap 0.1, 30% deficient, SimPO 2.5/0.5). */
    public static IToolConfig defaults() {
        return new IToolConfig("", "tool-calc,tool-price,tool-shop", 300, 0, 0, 300, 1e-3, 16, 3, 60, 0.3, 6, 3, 3, 1.0, 0.1, 1.0,
                256, 6, 40, 1e-5, 2.5, 0.5, "tool-shop", 100, 1_000_003);
    }
}
