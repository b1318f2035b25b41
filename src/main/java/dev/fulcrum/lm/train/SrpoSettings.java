package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.lm.align.Srpo;

/**
 * SRPO training settings ({@code srpo.*}); see {@link Srpo} for the loss.
 *
 * @param alpha           weight of the self-improvement terms (0.8 in the community implementation)
 * @param beta            KL regularisation (0.01 in the community implementation)
 * @param probePairs      training pairs whose loss terms and accuracies are reported at each evaluation
 * @param scoreBatchSize  pairs scored together when the reference log-probabilities are computed
 */
public record SrpoSettings(double alpha, double beta, int probePairs, int scoreBatchSize) {
    public SrpoSettings {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new ConfigException("srpo.alpha", "must lie in [0, 1], got " + alpha);
        }
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new ConfigException("srpo.beta", "must be positive, got " + beta);
        }
        if (probePairs <= 0) {
            throw new ConfigException("srpo.probePairs", "must be positive, got " + probePairs);
        }
        if (scoreBatchSize <= 0) {
            throw new ConfigException("srpo.scoreBatchSize", "must be positive, got " + scoreBatchSize);
        }
    }

    public static SrpoSettings defaults() {
        return new SrpoSettings(0.8, 0.01, 64, 32);
    }

    public Srpo.Config loss() {
        return new Srpo.Config(alpha, beta);
    }
}
