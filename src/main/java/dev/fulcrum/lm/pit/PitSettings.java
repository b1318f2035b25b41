package dev.fulcrum.lm.pit;

import dev.fulcrum.lm.task.TaskSuite;
import java.util.List;

/**
 * What one PIT run ({@link Pit}) does.
 *
 * @param init              the SFT model (a finished run or model directory): the policy model whose answers PIT revises,
 *                          and the starting point of the reviser and of the gap reward model
 * @param families          task families of the preference pairs and of the RL prompts
 * @param pairProblems      problems per family that pairs are made from (every pair of the reference and its graded
 *                          corruptions, labelled by a Bradley-Terry oracle over the gold reward)
 * @param dataSeed          problem seed of the pairs (use one that differs from the SFT data's)
 * @param oracleTemperature temperature of the labelling Bradley-Terry oracle
 * @param maxPairs          pairs kept (a random subset) for reviser SFT, reward model and stage-1 references
 * @param seed              seed of the run's training, sampling and subsets
 * @param reviserSteps      updates of the reviser SFT ({@code M_PIT^SFT})
 * @param rewardSteps       updates of the gap reward model
 * @param stage1Iterations  PPO iterations of curriculum stage 1
 * @param stage2Iterations  PPO iterations of curriculum stage 2 (0: stage 1 only)
 * @param stage2Prompts     stage-1 prompts whose sampled revisions by the stage-1 policy become stage 2's references
 * @param maxNewTokens      response budget of sampled references and rollouts
 * @param reviserOverrides  further {@code LmTrainConfig} settings of the reviser SFT
 * @param rewardOverrides   further {@code LmTrainConfig} settings of the gap reward model
 * @param ppoOverrides      further {@code PpoRunConfig} settings of both RL stages
 */
public record PitSettings(String init, List<String> families, int pairProblems, long dataSeed, double oracleTemperature,
                          int maxPairs, long seed, long reviserSteps, long rewardSteps, int stage1Iterations,
                          int stage2Iterations, int stage2Prompts, int maxNewTokens, List<String> reviserOverrides,
                          List<String> rewardOverrides, List<String> ppoOverrides) {
    public PitSettings {
        if (init == null || init.isBlank()) {
            throw new IllegalArgumentException("PIT needs the SFT model to start from: pass --init RUN_OR_MODEL");
        }
        if (families == null || families.isEmpty()) {
            throw new IllegalArgumentException("--families must name at least one task family");
        }
        families.forEach(TaskSuite::family); // an unknown name fails here, with the list of names
        families = List.copyOf(families);
        positive("--pair-problems", pairProblems);
        positive("--max-pairs", maxPairs);
        positive("--reviser-steps", reviserSteps);
        positive("--reward-steps", rewardSteps);
        positive("--stage1-iterations", stage1Iterations);
        if (stage2Iterations < 0) {
            throw new IllegalArgumentException("--stage2-iterations must be >= 0, got " + stage2Iterations);
        }
        positive("--stage2-prompts", stage2Prompts);
        positive("--max-new-tokens", maxNewTokens);
        if (!(oracleTemperature > 0)) {
            throw new IllegalArgumentException("the oracle temperature must be positive, got " + oracleTemperature);
        }
        reviserOverrides = List.copyOf(reviserOverrides);
        rewardOverrides = List.copyOf(rewardOverrides);
        ppoOverrides = List.copyOf(ppoOverrides);
    }

    private static void positive(String flag, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(flag + " must be positive, got " + v);
        }
    }

    /** The defaults of {@code fulcrum lm pit} for a model at {@code init}. */
    public static PitSettings defaults(String init) {
        return new PitSettings(init, List.of("arith-add", "sort-asc", "str-reverse"), 40, 100, 0.1, 600, 0, 150, 120, 15, 15,
                128, 48, defaultReviserOverrides(), defaultRewardOverrides(), defaultPpoOverrides());
    }

    public static List<String> defaultReviserOverrides() {
        return List.of("batchSize=16", "optimizer.learningRate=1e-3", "optimizer.minLearningRate=1e-4", "optimizer.warmupSteps=10");
    }

    public static List<String> defaultRewardOverrides() {
        return List.of("batchSize=4", "optimizer.learningRate=1e-3", "optimizer.minLearningRate=1e-4", "optimizer.warmupSteps=10",
                "reward.heldOutFraction=0.1");
    }

    public static List<String> defaultPpoOverrides() {
        return List.of("ppo.criticPretrainSteps=4", "ppo.rolloutBatch=32", "ppo.minibatch=8", "ppo.policyLearningRate=1e-4",
                "ppo.criticLearningRate=3e-4", "ppo.temperature=1.0");
    }
}
