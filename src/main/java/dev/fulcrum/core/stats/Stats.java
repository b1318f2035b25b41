package dev.fulcrum.core.stats;

import dev.fulcrum.core.rng.Rng;
import java.util.Arrays;

/**
 * Summary statistics for comparing runs across seeds: mean, sample standard deviation, Student-t 95% confidence
 * intervals, the interquartile mean and percentile-bootstrap intervals (as rliable recommends for few seeds), and
 * Welch's t-test.
 */
public final class Stats {
    private Stats() {
    }

    public static double mean(double[] x) {
        if (x.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Sample standard deviation (n - 1). */
    public static double std(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        double m = mean(x), s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (x.length - 1));
    }

    /** Half-width of the two-sided 95% Student-t interval of the mean. */
    public static double ci95HalfWidth(double[] x) {
        if (x.length < 2) {
            return Double.NaN;
        }
        return tQuantile975(x.length - 1) * std(x) / Math.sqrt(x.length);
    }

    /** Interquartile mean: the mean of the middle 50% (trimmed at 25% each side, fractional weights at the edges). */
    public static double iqm(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        double lo = 0.25 * n, hi = 0.75 * n, total = 0, weight = 0;
        for (int i = 0; i < n; i++) {
            double w = Math.max(0, Math.min(i + 1, hi) - Math.max(i, lo));
            total += w * s[i];
            weight += w;
        }
        return weight > 0 ? total / weight : Double.NaN;
    }

    /** Percentile-bootstrap 95% interval of the mean: {lo, hi}. */
    public static double[] bootstrapCi95(double[] x, int resamples, Rng rng) {
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += x[rng.nextInt(x.length)];
            }
            means[b] = s / x.length;
        }
        Arrays.sort(means);
        return new double[] {means[(int) Math.floor(0.025 * (resamples - 1))], means[(int) Math.ceil(0.975 * (resamples - 1))]};
    }

    /** Welch's two-sample t-test; returns {t, degrees of freedom, two-sided p-value}. */
    public static double[] welch(double[] a, double[] b) {
        double va = Math.pow(std(a), 2) / a.length, vb = Math.pow(std(b), 2) / b.length;
        double t = (mean(a) - mean(b)) / Math.sqrt(va + vb);
        double df = Math.pow(va + vb, 2) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        return new double[] {t, df, 2 * (1 - studentCdf(Math.abs(t), df))};
    }

    /**
     * Mann-Whitney U test (two-sided, normal approximation with tie and continuity corrections): a rank test that needs
     * no normality and copes with ties, e.g. runs censored at a budget. Returns {U of a, z, two-sided p-value}; a
     * negative z means {@code a} tends to be smaller.
     */
    public static double[] mannWhitney(double[] a, double[] b) {
        int na = a.length, nb = b.length, n = na + nb;
        if (na == 0 || nb == 0) {
            throw new IllegalArgumentException("Mann-Whitney needs two non-empty samples, got " + na + " and " + nb);
        }
        double[][] all = new double[n][];
        for (int i = 0; i < n; i++) {
            all[i] = new double[] {i < na ? a[i] : b[i - na], i < na ? 0 : 1};
        }
        Arrays.sort(all, (x, y) -> Double.compare(x[0], y[0]));
        double rankSumA = 0, tieTerm = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && all[j + 1][0] == all[i][0]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (all[k][1] == 0) {
                    rankSumA += midRank;
                }
            }
            double t = j - i + 1;
            tieTerm += t * t * t - t;
            i = j + 1;
        }
        double u = rankSumA - na * (na + 1) / 2.0;
        double mu = na * nb / 2.0;
        double variance = na * (double) nb / 12.0 * ((n + 1) - tieTerm / (n * (double) (n - 1)));
        if (variance <= 0) {
            return new double[] {u, 0, 1};
        }
        double diff = u - mu;
        double z = (diff - 0.5 * Math.signum(diff)) / Math.sqrt(variance);
        return new double[] {u, z, Math.min(1, erfc(Math.abs(z) / Math.sqrt(2)))};
    }

    /** Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
    static double erfc(double x) {
        double z = Math.abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** 97.5% quantile of Student's t by bisection on the CDF. */
    public static double tQuantile975(double df) {
        double lo = 0, hi = 100;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (studentCdf(mid, df) < 0.975) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** CDF of Student's t via the regularised incomplete beta function. */
    public static double studentCdf(double t, double df) {
        double x = df / (df + t * t);
        double tail = 0.5 * regularisedBeta(x, df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    static double regularisedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double bt = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
        return x < (a + 1) / (a + b + 2) ? bt * betaFraction(x, a, b) / a : 1 - bt * betaFraction(1 - x, b, a) / b;
    }

    private static double betaFraction(double x, double a, double b) {
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        d = 1 / (Math.abs(d) < 1e-300 ? 1e-300 : d);
        double h = d;
        for (int m = 1; m <= 300; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            d = 1 / (Math.abs(d) < 1e-300 ? 1e-300 : d);
            c = 1 + aa / c;
            c = Math.abs(c) < 1e-300 ? 1e-300 : c;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            d = 1 / (Math.abs(d) < 1e-300 ? 1e-300 : d);
            c = 1 + aa / c;
            c = Math.abs(c) < 1e-300 ? 1e-300 : c;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) {
                break;
            }
        }
        return h;
    }

    static double logGamma(double x) {
        double[] c = {76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2,
                -0.5395239384953e-5};
        double y = x, tmp = x + 5.5;
        tmp -= (x + 0.5) * Math.log(tmp);
        double ser = 1.000000000190015;
        for (double cj : c) {
            ser += cj / ++y;
        }
        return -tmp + Math.log(2.5066282746310005 * ser / x);
    }
}
