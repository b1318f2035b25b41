package dev.fulcrum.lm.rl;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.lm.train.SolveRateSettings;

/**
 * Everything that defines a PPO run ({@code fulcrum lm ppo}); loaded by {@code ConfigLoader} and written resolved to the
 * run's {@code config.json}.
 *
 * @param init              the SFT policy: a finished run or a Hugging Face model directory (also the KL reference)
 * @param rewardModel       a finished {@code lm reward} run or reward-model directory; needed for {@code ppo.reward=model}
 *                          and for {@code ppo.criticFromRewardModel}
 * @param families          task families whose problems are the rollout prompts ({@code TaskSuite.select} syntax); the
 *                          default leaves out the tool families, whose responses hold executor output that is not the
 *                          policy's own tokens
 * @param problemsPerFamily prompt pool size per family
 * @param problemSeed       problem seed of the prompt pool (evaluation uses {@code eval.seed}; pool prompts are skipped there)
 * @param ptxData           SFT JSONL for the PPO-ptx term (needed when {@code ppo.ptxCoef > 0})
 * @param seed              rollout sampling, prompt order and minibatches derive from it
 * @param iterations        PPO iterations (rollout batch + updates) after the critic's pre-training batches
 * @param evalEvery         greedy solve-rate evaluation every this many PPO iterations (and at the end)
 * @param checkpointEvery   checkpoint every this many steps (critic pre-training batches count) and at the end
 * @param keepCheckpoints   recent checkpoints kept
 */
public record PpoRunConfig(String init, String rewardModel, String families, int problemsPerFamily, long problemSeed, String ptxData,
                           long seed, int iterations, int evalEvery, int checkpointEvery, int keepCheckpoints,
                           SolveRateSettings eval, PpoSettings ppo) {
    public static final String DEFAULT_FAMILIES = "arith-add,sort-asc,str-reverse,str-upper,summary-person";

    public PpoRunConfig {
        init = init == null ? "" : init;
        rewardModel = rewardModel == null ? "" : rewardModel;
        ptxData = ptxData == null ? "" : ptxData;
        if (families == null || families.isBlank()) {
            throw new ConfigException("families", "must name task families, got '" + families + "'");
        }
        positive("problemsPerFamily", problemsPerFamily);
        positive("iterations", iterations);
        positive("evalEvery", evalEvery);
        positive("checkpointEvery", checkpointEvery);
        positive("keepCheckpoints", keepCheckpoints);
        if (eval == null) {
            throw new ConfigException("eval", "is missing");
        }
        if (ppo == null) {
            throw new ConfigException("ppo", "is missing");
        }
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new ConfigException(field, "must be positive, got " + v);
        }
    }

    /** PPO-max settings, 100 iterations on 200 prompts per default family, evaluated on 20 fresh problems of each of those families. */
    public static PpoRunConfig defaults() {
        return new PpoRunConfig("", "", DEFAULT_FAMILIES, 200, 2, "", 0, 100, 50, 25, 2,
                new SolveRateSettings(DEFAULT_FAMILIES, 20, 1_000_003, 200, 4, 64), PpoSettings.max());
    }

    /** Critic pre-training batches plus PPO iterations: the run's steps. */
    public long totalSteps() {
        return (long) ppo.criticPretrainSteps() + iterations;
    }
}
