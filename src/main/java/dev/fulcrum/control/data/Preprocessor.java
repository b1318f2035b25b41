package dev.fulcrum.control.data;

import dev.fulcrum.control.env.EnvSpec;
import java.util.Locale;

/**
 * The fixed transforms between an environment and a learner, fitted once on the offline dataset and stored with the
 * policy: observation standardisation {@code (s - mean) / std}, action scaling to [-1, 1], and reward shaping.
 *
 * <p>Reward shaping follows the reference implementations (CORL/IQL): {@code RETURN_RANGE} multiplies rewards by
 * {@code maxEpisodeSteps / (max return - min return)} over the dataset's episodes (dense tasks), {@code MINUS_ONE}
 * subtracts 1 (sparse goal tasks, as IQL does on AntMaze), {@code NONE} leaves them.
 */
public record Preprocessor(float[] observationMean, float[] observationStd, float actionHigh, double rewardScale,
                           double rewardShift) {

    public enum RewardShaping { NONE, RETURN_RANGE, MINUS_ONE;
        public static RewardShaping parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT).replace('_', '-')) {
                case "none" -> NONE;
                case "return-range" -> RETURN_RANGE;
                case "minus-one" -> MINUS_ONE;
                default -> throw new IllegalArgumentException("unknown reward shaping '" + s + "' (none, return-range, minus-one)");
            };
        }
    }

    public static Preprocessor fit(OfflineDataset data, EnvSpec spec, boolean normaliseObservations, RewardShaping shaping) {
        if (spec.observationDim() != data.observationDim() || spec.actionDim() != data.actionDim()) {
            throw new DatasetException("dataset has observation/action sizes " + data.observationDim() + "/" + data.actionDim()
                    + " but environment " + spec.id() + " has " + spec.observationDim() + "/" + spec.actionDim());
        }
        if (Math.abs(spec.actionLow() + spec.actionHigh()) > 1e-6) {
            throw new IllegalArgumentException("only symmetric action boxes are supported, " + spec.id() + " has ["
                    + spec.actionLow() + ", " + spec.actionHigh() + "]");
        }
        int d = data.observationDim();
        float[] mean = new float[d];
        float[] std = new float[d];
        java.util.Arrays.fill(std, 1f);
        if (normaliseObservations) {
            double[] sum = new double[d], sq = new double[d];
            int n = data.size();
            float[] obs = data.observations();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    double x = obs[i * d + j];
                    sum[j] += x;
                    sq[j] += x * x;
                }
            }
            for (int j = 0; j < d; j++) {
                double m = sum[j] / n;
                mean[j] = (float) m;
                std[j] = (float) (Math.sqrt(Math.max(0, sq[j] / n - m * m)) + 1e-3); // CORL's eps
            }
        }
        double scale = 1, shift = 0;
        switch (shaping) {
            case RETURN_RANGE -> {
                double[] returns = data.episodeReturns();
                double lo = java.util.Arrays.stream(returns).min().orElse(0), hi = java.util.Arrays.stream(returns).max().orElse(0);
                scale = hi - lo > 1e-8 ? spec.maxEpisodeSteps() / (hi - lo) : 1;
            }
            case MINUS_ONE -> shift = -1;
            case NONE -> { }
        }
        return new Preprocessor(mean, std, spec.actionHigh(), scale, shift);
    }

    /**
     * The transforms of a run without a dataset to fit them on (pure online learning): observations unchanged, actions
     * scaled to [-1, 1], rewards unchanged or shifted by -1 ({@code MINUS_ONE}). {@code RETURN_RANGE} needs a dataset.
     */
    public static Preprocessor withoutData(EnvSpec spec, RewardShaping shaping) {
        if (Math.abs(spec.actionLow() + spec.actionHigh()) > 1e-6) {
            throw new IllegalArgumentException("only symmetric action boxes are supported, " + spec.id() + " has ["
                    + spec.actionLow() + ", " + spec.actionHigh() + "]");
        }
        if (shaping == RewardShaping.RETURN_RANGE) {
            throw new IllegalArgumentException("reward shaping return-range is fitted on a dataset's returns; a run without "
                    + "a dataset takes none or minus-one");
        }
        float[] std = new float[spec.observationDim()];
        java.util.Arrays.fill(std, 1f);
        return new Preprocessor(new float[spec.observationDim()], std, spec.actionHigh(), 1,
                shaping == RewardShaping.MINUS_ONE ? -1 : 0);
    }

    public void normaliseObservationInto(float[] raw, int rawOffset, float[] out, int outOffset) {
        for (int j = 0; j < observationMean.length; j++) {
            out[outOffset + j] = (raw[rawOffset + j] - observationMean[j]) / observationStd[j];
        }
    }

    public float[] normaliseObservation(float[] raw) {
        float[] out = new float[raw.length];
        normaliseObservationInto(raw, 0, out, 0);
        return out;
    }

    public float shapeReward(float r) {
        return (float) (r * rewardScale + rewardShift);
    }

    /** From the learner's [-1, 1] box to the environment's. */
    public float[] toEnvAction(float[] normalised) {
        float[] a = new float[normalised.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.max(-actionHigh, Math.min(actionHigh, normalised[i] * actionHigh));
        }
        return a;
    }
}
