package dev.fulcrum.core.stats;

import dev.fulcrum.core.rng.Rng;
import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * Aggregate scores over runs and tasks with stratified-bootstrap confidence intervals, and the probability of
 * improvement, after Agarwal et al. 2021, "Deep Reinforcement Learning at the Edge of the Statistical Precipice"
 * (the rliable library).
 *
 * <p>Scores are given per task: {@code scores[task][run]}, e.g. final normalised scores of each seed on each
 * environment. Tasks may have different numbers of runs (rliable's (runs x tasks) matrix is the special case of equal
 * counts, where every aggregate below equals rliable's).
 * <ul>
 *   <li>{@link #mean}: the mean of the per-task means (rliable {@code aggregate_mean}).</li>
 *   <li>{@link #median}: the median of the per-task means (rliable {@code aggregate_median}; with one task it is that
 *       task's mean).</li>
 *   <li>{@link #iqm}: the interquartile mean of all scores pooled ({@link Stats#iqm}: the mean of the middle 50% with
 *       fractional weights at the quartiles; rliable uses {@code scipy.stats.trim_mean(scores, 0.25)}, which cuts whole
 *       scores and agrees when the number of scores is a multiple of 4).</li>
 *   <li>{@link #stratifiedBootstrap}: percentile interval of an aggregate, resampling runs with replacement within each
 *       task (rliable's {@code StratifiedBootstrap}; percentiles by linear interpolation, numpy's default).</li>
 *   <li>{@link #probabilityOfImprovement}: P(X > Y) = (1/T) sum over tasks of (1/(N M)) sum_i sum_j S(x_i, y_j) with
 *       S = 1 if x > y, 1/2 if equal, 0 otherwise (the Mann-Whitney U statistic normalised per task, averaged over
 *       tasks; rliable {@code probability_of_improvement}); its interval resamples X and Y independently within each
 *       task (rliable's {@code StratifiedIndependentBootstrap}).</li>
 * </ul>
 */
public final class Rliable {
    private Rliable() {
    }

    /** A point estimate and its confidence interval [lo, hi]. */
    public record Interval(double estimate, double lo, double hi) {
    }

    /** The aggregates rliable reports. */
    public enum Aggregate {
        MEAN, MEDIAN, IQM;

        public double of(double[][] scoresByTask) {
            return switch (this) {
                case MEAN -> mean(scoresByTask);
                case MEDIAN -> median(scoresByTask);
                case IQM -> iqm(scoresByTask);
            };
        }
    }

    /** Mean of the per-task means. */
    public static double mean(double[][] scoresByTask) {
        return Stats.mean(taskMeans(scoresByTask));
    }

    /** Median of the per-task means. */
    public static double median(double[][] scoresByTask) {
        return percentile(taskMeans(scoresByTask), 50);
    }

    /** Interquartile mean of all scores pooled. */
    public static double iqm(double[][] scoresByTask) {
        requireScores(scoresByTask);
        return Stats.iqm(Arrays.stream(scoresByTask).flatMapToDouble(Arrays::stream).toArray());
    }

    /**
     * The aggregate of the scores with a percentile stratified-bootstrap interval: each of {@code resamples} replicates
     * draws, for every task, as many runs as the task has, with replacement, from that task's runs.
     *
     * @param confidence e.g. 0.95
     */
    public static Interval stratifiedBootstrap(double[][] scoresByTask, ToDoubleFunction<double[][]> aggregate, int resamples,
                                               double confidence, Rng rng) {
        requireScores(scoresByTask);
        requireBootstrap(resamples, confidence);
        double[] replicates = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            replicates[b] = aggregate.applyAsDouble(resample(scoresByTask, rng));
        }
        return interval(aggregate.applyAsDouble(scoresByTask), replicates, confidence);
    }

    /** {@link #stratifiedBootstrap} of one of rliable's aggregates. */
    public static Interval stratifiedBootstrap(double[][] scoresByTask, Aggregate aggregate, int resamples, double confidence,
                                               Rng rng) {
        return stratifiedBootstrap(scoresByTask, aggregate::of, resamples, confidence, rng);
    }

    /** P(X > Y): the per-task normalised Mann-Whitney statistic, averaged over tasks (task t of x matches task t of y). */
    public static double probabilityOfImprovement(double[][] x, double[][] y) {
        requireScores(x);
        requireScores(y);
        if (x.length != y.length) {
            throw new IllegalArgumentException("probability of improvement needs the same tasks for both: " + x.length
                    + " vs " + y.length + " tasks");
        }
        double total = 0;
        for (int t = 0; t < x.length; t++) {
            double wins = 0;
            for (double xi : x[t]) {
                for (double yj : y[t]) {
                    wins += xi > yj ? 1 : xi == yj ? 0.5 : 0;
                }
            }
            total += wins / ((double) x[t].length * y[t].length);
        }
        return total / x.length;
    }

    /** {@link #probabilityOfImprovement} with a percentile interval from resampling X and Y independently within tasks. */
    public static Interval probabilityOfImprovement(double[][] x, double[][] y, int resamples, double confidence, Rng rng) {
        double estimate = probabilityOfImprovement(x, y);
        requireBootstrap(resamples, confidence);
        double[] replicates = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            replicates[b] = probabilityOfImprovement(resample(x, rng), resample(y, rng));
        }
        return interval(estimate, replicates, confidence);
    }

    /** The q-th percentile (0..100) with linear interpolation between order statistics (numpy's default). */
    public static double percentile(double[] values, double q) {
        if (values.length == 0) {
            throw new IllegalArgumentException("percentile of no values");
        }
        if (!(q >= 0 && q <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + q);
        }
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = q / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    private static Interval interval(double estimate, double[] replicates, double confidence) {
        double tail = 100 * (1 - confidence) / 2;
        return new Interval(estimate, percentile(replicates, tail), percentile(replicates, 100 - tail));
    }

    private static double[][] resample(double[][] scoresByTask, Rng rng) {
        double[][] out = new double[scoresByTask.length][];
        for (int t = 0; t < scoresByTask.length; t++) {
            double[] runs = scoresByTask[t];
            out[t] = new double[runs.length];
            for (int i = 0; i < runs.length; i++) {
                out[t][i] = runs[rng.nextInt(runs.length)];
            }
        }
        return out;
    }

    private static double[] taskMeans(double[][] scoresByTask) {
        requireScores(scoresByTask);
        return Arrays.stream(scoresByTask).mapToDouble(Stats::mean).toArray();
    }

    private static void requireScores(double[][] scoresByTask) {
        if (scoresByTask.length == 0) {
            throw new IllegalArgumentException("no tasks");
        }
        for (int t = 0; t < scoresByTask.length; t++) {
            if (scoresByTask[t].length == 0) {
                throw new IllegalArgumentException("task " + t + " has no runs");
            }
            for (int i = 0; i < scoresByTask[t].length; i++) {
                if (!Double.isFinite(scoresByTask[t][i])) {
                    throw new IllegalArgumentException("task " + t + " run " + i + " has score " + scoresByTask[t][i]);
                }
            }
        }
    }

    private static void requireBootstrap(int resamples, double confidence) {
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be positive, got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
    }
}
