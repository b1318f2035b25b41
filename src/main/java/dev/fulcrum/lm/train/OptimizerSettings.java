package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.WarmupCosine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * AdamW with a warm-up + cosine learning-rate schedule and global-norm gradient clipping ({@code optimizer.*}).
 * Defaults follow small-transformer recipes (nanoGPT, TinyStories): peak 1e-3, decay to a tenth, betas (0.9, 0.95),
 * weight decay 0.1 on matrices only (embeddings and projections; not biases or norm gains), clip at 1.
 *
 * @param learningRate    peak learning rate
 * @param minLearningRate floor the cosine decays to
 * @param warmupSteps     linear warm-up updates
 * @param weightDecay     AdamW's decoupled lambda, applied to parameters of two or more dimensions
 * @param clipNorm        global gradient-norm limit (0: no clipping)
 */
public record OptimizerSettings(double learningRate, double minLearningRate, int warmupSteps, double weightDecay,
                                double beta1, double beta2, double epsilon, double clipNorm) {
    public OptimizerSettings {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new ConfigException("optimizer.learningRate", "must be a positive number, got " + learningRate);
        }
        if (!(minLearningRate >= 0 && minLearningRate <= learningRate)) {
            throw new ConfigException("optimizer.minLearningRate", "must lie in [0, learningRate], got " + minLearningRate);
        }
        if (warmupSteps < 0) {
            throw new ConfigException("optimizer.warmupSteps", "must be >= 0, got " + warmupSteps);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new ConfigException("optimizer.weightDecay", "must be a non-negative number, got " + weightDecay);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new ConfigException("optimizer.beta1", "must lie in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new ConfigException("optimizer.beta2", "must lie in [0, 1), got " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new ConfigException("optimizer.epsilon", "must be positive, got " + epsilon);
        }
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
            throw new ConfigException("optimizer.clipNorm", "must be 0 (off) or positive, got " + clipNorm);
        }
    }

    public static OptimizerSettings defaults() {
        return new OptimizerSettings(1e-3, 1e-4, 50, 0.1, 0.9, 0.95, 1e-8, 1.0);
    }

    /** AdamW over {@code parameters}, decaying those with two or more dimensions. */
    public Adam optimizer(NDManager manager, Map<String, NDArray> parameters) {
        Adam adam = new Adam(manager, parameters, learningRate, beta1, beta2, epsilon);
        return adam.decoupledWeightDecay(weightDecay, name -> parameters.get(name).getShape().dimension() >= 2);
    }

    /** The schedule over {@code totalSteps} updates (warm-up capped at the run's length). */
    public WarmupCosine schedule(long totalSteps) {
        return new WarmupCosine(learningRate, Math.min(warmupSteps, totalSteps), totalSteps, minLearningRate);
    }
}
