package dev.fulcrum.core.nn;

import dev.fulcrum.core.config.ConfigException;

/**
 * Learning rate with linear warm-up then cosine decay (Loshchilov and Hutter 2017, without restarts), the schedule of
 * most transformer training recipes. For update {@code s = 0, 1, ...}:
 * <pre>
 *   s < W:   lr = peak (s + 1) / W
 *   else:    lr = floor + (peak - floor) (1 + cos(pi min(1, (s - W) / (S - W)))) / 2
 * </pre>
 * with {@code W = warmupSteps} and {@code S = totalSteps}; after {@code S} it stays at {@code floor}.
 */
public record WarmupCosine(double peak, long warmupSteps, long totalSteps, double floor) {
    public WarmupCosine {
        if (!(peak > 0) || !Double.isFinite(peak)) {
            throw new ConfigException("peak", "must be a positive learning rate, got " + peak);
        }
        if (warmupSteps < 0) {
            throw new ConfigException("warmupSteps", "must be >= 0, got " + warmupSteps);
        }
        if (totalSteps < warmupSteps) {
            throw new ConfigException("totalSteps", "must be >= warmupSteps (" + warmupSteps + "), got " + totalSteps);
        }
        if (!(floor >= 0 && floor <= peak)) {
            throw new ConfigException("floor", "must lie in [0, peak], got " + floor);
        }
    }

    /** The learning rate of update {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long decay = totalSteps - warmupSteps;
        double progress = decay == 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / decay);
        return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /** Sets {@code optimizer}'s learning rate for its next update ({@code optimizer.steps()} updates done so far). */
    public void apply(Adam optimizer) {
        optimizer.setLearningRate(at(optimizer.steps()));
    }
}
