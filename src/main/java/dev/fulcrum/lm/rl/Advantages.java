package dev.fulcrum.lm.rl;

/**
 * Advantage estimation on the host, row by row over each rollout's response tokens.
 *
 * <p>Generalised advantage estimation (Schulman et al. 2016, eq. 16), with the state after the last token terminal
 * ({@code V = 0} there):
 * <pre>
 *   delta_t = r_t + gamma V_{t+1} - V_t,     A_t = delta_t + gamma lambda A_{t+1},     R_t = A_t + V_t
 * </pre>
 * Whitening (PPO-max's minibatch advantage normalisation, Zheng et al. 2023 section 5.3.2) centres and scales the
 * advantages of a minibatch over its real tokens: {@code (A - mean) / sqrt(var + 1e-8)}, with the unbiased variance, as
 * TRL's {@code masked_whiten}.
 */
public final class Advantages {
    private Advantages() {
    }

    /** Advantages and returns {@code [N][L]} (0 past each row's {@code lengths[i]} tokens). */
    public record Estimate(double[][] advantages, double[][] returns) {
    }

    public static Estimate gae(double[][] rewards, double[][] values, int[] lengths, double gamma, double lambda) {
        int n = rewards.length;
        double[][] adv = new double[n][], ret = new double[n][];
        for (int i = 0; i < n; i++) {
            int width = rewards[i].length;
            adv[i] = new double[width];
            ret[i] = new double[width];
            double next = 0, running = 0;
            for (int t = lengths[i] - 1; t >= 0; t--) {
                double delta = rewards[i][t] + gamma * next - values[i][t];
                running = delta + gamma * lambda * running;
                adv[i][t] = running;
                ret[i][t] = running + values[i][t];
                next = values[i][t];
            }
        }
        return new Estimate(adv, ret);
    }

    /** The rows' first {@code lengths[i]} entries whitened together; entries past a row's length stay 0. */
    public static double[][] whiten(double[][] x, int[] lengths) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < x.length; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                sum += x[i][t];
                count++;
            }
        }
        if (count < 2) {
            throw new IllegalArgumentException("whitening needs at least two tokens, got " + count);
        }
        double mean = sum / count, squares = 0;
        for (int i = 0; i < x.length; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                squares += (x[i][t] - mean) * (x[i][t] - mean);
            }
        }
        double scale = 1 / Math.sqrt(squares / (count - 1) + 1e-8);
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new double[x[i].length];
            for (int t = 0; t < lengths[i]; t++) {
                out[i][t] = (x[i][t] - mean) * scale;
            }
        }
        return out;
    }
}
