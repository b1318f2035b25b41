package dev.fulcrum.core.stats;

import dev.fulcrum.core.rng.Rng;
import java.util.Arrays;

/**
 * Significance tests between two algorithms' scores across seeds (a: one algorithm's runs, b: the other's), two-sided:
 * <ul>
 *   <li>{@link #welch}: Welch's unequal-variance t-test ({@link Stats#welch}), which assumes roughly normal means.</li>
 *   <li>{@link #mannWhitney}: the Mann-Whitney U (Wilcoxon rank-sum) test, distribution-free. U counts the pairs
 *       (a_i, b_j) with a_i > b_j, ties counting 1/2. Without ties and for n*m up to {@value #EXACT_MANN_WHITNEY_PAIRS}
 *       the p-value is exact, 2 min(P(U' <= U), P(U' >= U)) under the null distribution of U' counted by the recurrence
 *       f(n, m, k) = f(n-1, m, k-m) + f(n, m-1, k) (the largest value belongs to a or to b); otherwise the normal
 *       approximation with the tie correction of the variance, sigma^2 = nm/12 ((N+1) - sum(t^3 - t)/(N(N-1))), and a
 *       continuity correction of 1/2 (scipy.stats.mannwhitneyu's asymptotic method).</li>
 *   <li>{@link #permutation}: the permutation test of the difference of means: p is the share of the C(n+m, n)
 *       relabellings whose |mean difference| is at least the observed one, enumerated exactly up to
 *       {@code maxExact} relabellings, otherwise estimated from random relabellings as (1 + hits) / (1 + draws)
 *       (which never reports p = 0).</li>
 * </ul>
 */
public final class TwoSampleTests {
    /** Largest n*m for which {@link #mannWhitney} computes the exact null distribution (when there are no ties). */
    public static final int EXACT_MANN_WHITNEY_PAIRS = 400;
    /** Default for {@link #permutation}'s {@code maxExact}. */
    public static final long DEFAULT_MAX_EXACT_PERMUTATIONS = 200_000;

    private TwoSampleTests() {
    }

    public record Welch(double t, double df, double pValue) {
    }

    /** @param u the U statistic of sample a; @param exact whether p comes from the exact null distribution */
    public record MannWhitney(double u, double pValue, boolean exact) {
    }

    /**
     * @param difference   mean(a) - mean(b)
     * @param exact        whether every relabelling was enumerated
     * @param permutations relabellings counted (enumerated or drawn)
     */
    public record Permutation(double difference, double pValue, boolean exact, long permutations) {
    }

    /** Welch's t-test; needs two runs in each sample. p is NaN when both samples are constant (no spread to test). */
    public static Welch welch(double[] a, double[] b) {
        requireSample("a", a, 2);
        requireSample("b", b, 2);
        if (Stats.std(a) == 0 && Stats.std(b) == 0) {
            return new Welch(Double.NaN, Double.NaN, Double.NaN);
        }
        double[] w = Stats.welch(a, b);
        return new Welch(w[0], w[1], Math.min(1, w[2]));
    }

    /** The two-sided Mann-Whitney U test (see the class description). */
    public static MannWhitney mannWhitney(double[] a, double[] b) {
        requireSample("a", a, 1);
        requireSample("b", b, 1);
        int n = a.length, m = b.length;
        double u = 0;
        for (double x : a) {
            for (double y : b) {
                u += x > y ? 1 : x == y ? 0.5 : 0;
            }
        }
        double[] pooled = pooled(a, b);
        Arrays.sort(pooled);
        double tieSum = 0;
        for (int i = 0; i < pooled.length; ) {
            int j = i;
            while (j < pooled.length && pooled[j] == pooled[i]) {
                j++;
            }
            double t = j - i;
            tieSum += t * t * t - t;
            i = j;
        }
        if (tieSum == 0 && (long) n * m <= EXACT_MANN_WHITNEY_PAIRS) {
            double[] counts = exactUDistribution(n, m);
            double total = 0, below = 0, above = 0;
            int k = (int) u;
            for (int i = 0; i < counts.length; i++) {
                total += counts[i];
                below += i <= k ? counts[i] : 0;
                above += i >= k ? counts[i] : 0;
            }
            return new MannWhitney(u, Math.min(1, 2 * Math.min(below, above) / total), true);
        }
        int bigN = n + m;
        double variance = n * (double) m / 12 * ((bigN + 1) - tieSum / ((double) bigN * (bigN - 1)));
        if (variance <= 0) {
            return new MannWhitney(u, 1, false); // every value tied: no evidence either way
        }
        double z = Math.max(0, Math.abs(u - n * (double) m / 2) - 0.5) / Math.sqrt(variance);
        return new MannWhitney(u, Math.min(1, 2 * (1 - normalCdf(z))), false);
    }

    /** Counts of U = 0 .. n*m over all C(n+m, n) arrangements of n a's and m b's without ties. */
    static double[] exactUDistribution(int n, int m) {
        double[][][] f = new double[n + 1][m + 1][];
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= m; j++) {
                double[] c = new double[i * j + 1];
                if (i == 0 || j == 0) {
                    c[0] = 1;
                } else {
                    double[] aLargest = f[i - 1][j], bLargest = f[i][j - 1];
                    for (int k = 0; k < aLargest.length; k++) {
                        c[k + j] += aLargest[k];
                    }
                    for (int k = 0; k < bLargest.length; k++) {
                        c[k] += bLargest[k];
                    }
                }
                f[i][j] = c;
            }
        }
        return f[n][m];
    }

    /**
     * The two-sided permutation test of mean(a) - mean(b) (see the class description).
     *
     * @param maxExact  enumerate every relabelling when there are at most this many
     * @param resamples random relabellings otherwise
     * @param rng       draws the random relabellings (unused when exact)
     */
    public static Permutation permutation(double[] a, double[] b, long maxExact, int resamples, Rng rng) {
        requireSample("a", a, 1);
        requireSample("b", b, 1);
        int n = a.length, m = b.length, bigN = n + m;
        double[] pooled = pooled(a, b);
        double total = Arrays.stream(pooled).sum();
        double observed = Stats.mean(a) - Stats.mean(b);
        double threshold = Math.abs(observed) - 1e-9 * Math.max(1, Math.abs(observed));
        double combinations = binomial(bigN, n);
        if (bigN <= 62 && combinations <= maxExact) {
            long hits = 0, count = 0;
            long last = ((1L << n) - 1) << (bigN - n);
            for (long mask = (1L << n) - 1; ; mask = nextCombination(mask)) {
                double sum = 0;
                for (long bits = mask; bits != 0; bits &= bits - 1) {
                    sum += pooled[Long.numberOfTrailingZeros(bits)];
                }
                double d = sum / n - (total - sum) / m;
                hits += Math.abs(d) >= threshold ? 1 : 0;
                count++;
                if (mask == last) {
                    break;
                }
            }
            return new Permutation(observed, (double) hits / count, true, count);
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be positive, got " + resamples);
        }
        double[] shuffled = pooled.clone();
        long hits = 0;
        for (int r = 0; r < resamples; r++) {
            for (int i = bigN - 1; i > 0; i--) { // Fisher-Yates: the first n entries are a uniform relabelling
                int j = rng.nextInt(i + 1);
                double t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += shuffled[i];
            }
            hits += Math.abs(sum / n - (total - sum) / m) >= threshold ? 1 : 0;
        }
        return new Permutation(observed, (hits + 1.0) / (resamples + 1.0), false, resamples);
    }

    /** @param meanDifference mean of a_i - b_i; @param df n - 1 */
    public record Paired(double meanDifference, double t, double df, double pValue) {
    }

    /**
     * The two-sided paired t-test of matched samples (a_i and b_i measured on the same unit: a seed, a query):
     * t = mean(d) / (sd(d) / sqrt(n)) with d_i = a_i - b_i and n - 1 degrees of freedom. p is NaN when every difference
     * is the same (no spread to test).
     */
    public static Paired pairedT(double[] a, double[] b) {
        requireSample("a", a, 2);
        requireSample("b", b, 2);
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired samples need equal lengths, got " + a.length + " and " + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        double mean = Stats.mean(d), sd = Stats.std(d);
        if (sd == 0) {
            return new Paired(mean, Double.NaN, d.length - 1, Double.NaN);
        }
        double t = mean / (sd / Math.sqrt(d.length));
        return new Paired(mean, t, d.length - 1, Math.min(1, 2 * (1 - Stats.studentCdf(Math.abs(t), d.length - 1))));
    }

    /** {@link #permutation} with {@link #DEFAULT_MAX_EXACT_PERMUTATIONS} and 100000 random relabellings beyond it. */
    public static Permutation permutation(double[] a, double[] b, Rng rng) {
        return permutation(a, b, DEFAULT_MAX_EXACT_PERMUTATIONS, 100_000, rng);
    }

    /** Standard normal CDF, via erfc (Numerical Recipes' Chebyshev fit, fractional error below 1.2e-7). */
    static double normalCdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    private static double erfc(double x) {
        double z = Math.abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** Gosper's hack: the next larger integer with the same number of set bits. */
    private static long nextCombination(long x) {
        long c = x & -x, r = x + c;
        return (((r ^ x) >>> 2) / c) | r;
    }

    private static double binomial(int bigN, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (bigN - k + i) / i;
        }
        return c;
    }

    private static double[] pooled(double[] a, double[] b) {
        double[] p = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, p, a.length, b.length);
        return p;
    }

    private static void requireSample(String name, double[] x, int minimum) {
        if (x.length < minimum) {
            throw new IllegalArgumentException("sample " + name + " needs at least " + minimum + " value" + (minimum == 1 ? "" : "s")
                    + ", got " + x.length);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException("sample " + name + " value " + i + " is " + x[i]);
            }
        }
    }
}
