package dev.fulcrum.lm.rl;

import java.util.Map;

/**
 * Running mean and standard deviation of every reward seen so far (Welford's algorithm, batches merged with Chan et
 * al.'s formula), for PPO-max's reward normalisation and clipping (Zheng et al. 2023 section 5.3.1):
 * {@code r' = clip((r - mean) / std, -c, c)}, with the statistics updated by the batch before it is normalised. The state
 * is three numbers, saved in checkpoints.
 */
public final class RunningMoments {
    private long count;
    private double mean;
    private double m2;

    public void update(double[] batch) {
        for (double x : batch) {
            count++;
            double d = x - mean;
            mean += d / count;
            m2 += d * (x - mean);
        }
    }

    public long count() {
        return count;
    }

    public double mean() {
        return mean;
    }

    /** Population standard deviation of everything seen (1 before two values are seen). */
    public double std() {
        return count < 2 ? 1 : Math.sqrt(m2 / count);
    }

    /** {@code clip((x - mean) / std, -clip, clip)} of every entry ({@code clip <= 0}: no clipping). */
    public double[] normalise(double[] x, double clip) {
        double[] out = new double[x.length];
        double s = Math.max(std(), 1e-8);
        for (int i = 0; i < x.length; i++) {
            double z = (x[i] - mean) / s;
            out[i] = clip > 0 ? Math.max(-clip, Math.min(clip, z)) : z;
        }
        return out;
    }

    public void save(Map<String, String> metadata, String prefix) {
        metadata.put(prefix + ".count", Long.toString(count));
        metadata.put(prefix + ".mean", Double.toString(mean));
        metadata.put(prefix + ".m2", Double.toString(m2));
    }

    public void restore(Map<String, String> metadata, String prefix) {
        String c = metadata.get(prefix + ".count");
        if (c == null) {
            throw new IllegalArgumentException("checkpoint lacks the reward statistics (" + prefix + ".count)");
        }
        count = Long.parseLong(c);
        mean = Double.parseDouble(metadata.get(prefix + ".mean"));
        m2 = Double.parseDouble(metadata.get(prefix + ".m2"));
    }
}
