package dev.fulcrum.control.parl;

import dev.fulcrum.core.config.ConfigException;
import java.util.Set;

/**
 * Everything that defines a preference-alignment run ({@code fulcrum control parl}). Loaded by {@code ConfigLoader} from
 * defaults, an optional YAML/JSON file and {@code key=value} overrides; written resolved to the run's {@code config.json}.
 *
 * @param task               {@code grid-hazard-N} (odd N >= 5) or {@code point-goal-hazard}
 * @param method             {@code aparl}, {@code pebble} or {@code aparl-no-correction} (A-PARL without its term 2)
 * @param seed               seeds the policy, rollouts and oracle (separate named streams)
 * @param iterations         outer iterations
 * @param innerSteps         {@code K}: policy-gradient steps per outer iteration
 * @param rolloutsPerStep    trajectories per inner step
 * @param policyStepSize     {@code beta}: plain gradient ascent on the policy parameters
 * @param entropy            {@code lambda}: entropy regularisation of the lower level (keeps the policy exploring)
 * @param pairsPerIteration  oracle queries per outer iteration
 * @param rewardLearningRate Adam learning rate on the reward weights {@code nu}
 * @param rewardSteps        PEBBLE: optimiser steps on the whole buffer per outer iteration (A-PARL always takes one)
 * @param curvature          A-PARL: include the inner Hessian in the reverse pass ({@code false}: first-order Jacobian)
 * @param oracleTemperature  Bradley-Terry temperature of the oracle
 * @param rewardInit         {@code naive} (start from the designer's reward) or {@code zero}
 * @param evalEvery          evaluate the true utility every this many iterations (and at the end)
 * @param evalEpisodes       episodes per evaluation where it is not exact (continuous tasks)
 * @param target             normalised true utility that counts as aligned (0.9 = 90% of the way from random to optimal)
 * @param stopAtTarget       end the run at the first evaluation that reaches the target
 * @param hiddenSize         Gaussian MLP policy width (continuous tasks)
 * @param hiddenLayers       Gaussian MLP policy depth (continuous tasks)
 */
public record ParlConfig(String task, String method, long seed, int iterations, int innerSteps, int rolloutsPerStep,
                         double policyStepSize, double entropy, int pairsPerIteration, double rewardLearningRate, int rewardSteps,
                         boolean curvature, double oracleTemperature, String rewardInit, int evalEvery, int evalEpisodes,
                         double target, boolean stopAtTarget, int hiddenSize, int hiddenLayers) {
    public static final Set<String> METHODS = Set.of("aparl", "pebble", "aparl-no-correction");

    public static ParlConfig defaults() {
        return new ParlConfig("grid-hazard-5", "aparl", 0, 150, 5, 16, 1.0, 0.1, 4, 0.05, 10, true, 1.0, "naive", 1, 50, 0.9,
                false, 32, 2);
    }

    public ParlConfig {
        if (method == null || !METHODS.contains(method)) {
            throw new ConfigException("method", "must be one of " + METHODS + ", got '" + method + "'");
        }
        ParlTasks.check(task);
        positive("iterations", iterations);
        positive("innerSteps", innerSteps);
        positive("rolloutsPerStep", rolloutsPerStep);
        positive("pairsPerIteration", pairsPerIteration);
        positive("rewardSteps", rewardSteps);
        positive("evalEvery", evalEvery);
        positive("evalEpisodes", evalEpisodes);
        positive("hiddenSize", hiddenSize);
        positive("hiddenLayers", hiddenLayers);
        if (!(policyStepSize > 0) || !Double.isFinite(policyStepSize)) {
            throw new ConfigException("policyStepSize", "must be positive, got " + policyStepSize);
        }
        if (!(entropy >= 0) || !Double.isFinite(entropy)) {
            throw new ConfigException("entropy", "must be non-negative, got " + entropy);
        }
        if (!(rewardLearningRate > 0) || !Double.isFinite(rewardLearningRate)) {
            throw new ConfigException("rewardLearningRate", "must be positive, got " + rewardLearningRate);
        }
        if (!(oracleTemperature > 0) || !Double.isFinite(oracleTemperature)) {
            throw new ConfigException("oracleTemperature", "must be positive, got " + oracleTemperature);
        }
        if (!Set.of("naive", "zero").contains(rewardInit)) {
            throw new ConfigException("rewardInit", "must be naive or zero, got '" + rewardInit + "'");
        }
        if (!(target > 0 && target <= 1)) {
            throw new ConfigException("target", "must be in (0, 1], got " + target);
        }
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new ConfigException(field, "must be positive, got " + v);
        }
    }
}
