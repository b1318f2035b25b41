package dev.fulcrum.core.rng;

import java.util.Arrays;

/**
 * The project's one source of randomness: xoshiro256** with an exportable state, so that a checkpoint can store the
 * generator and a resumed run draws exactly the numbers an uninterrupted run would have drawn.
 *
 * <p>Every stochastic choice (parameter initialisation, minibatch indices, exploration and target-policy noise, environment
 * resets) goes through an {@code Rng}; nothing uses PyTorch's global generator. Independent streams come from
 * {@link #split(String)}, which derives a child seed from this generator's seed and a name, so adding a stream does not
 * shift the numbers of the others.
 */
public final class Rng {
    private final long seed;
    private long s0, s1, s2, s3;
    private double spareGaussian;
    private boolean hasSpareGaussian;

    public Rng(long seed) {
        this.seed = seed;
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seed this generator was built from. */
    public long seed() {
        return seed;
    }

    /** An independent generator for a named purpose (e.g. "init", "batches", "eval"), fixed by this seed and the name. */
    public Rng split(String name) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < name.length(); i++) {
            h = splitMix(h ^ name.charAt(i));
        }
        return new Rng(h);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [lo, hi). */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        // Lemire's multiply-shift with rejection: unbiased.
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Standard normal (Marsaglia polar method). */
    public double gaussian() {
        if (hasSpareGaussian) {
            hasSpareGaussian = false;
            return spareGaussian;
        }
        double u, v, s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double mul = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * mul;
        hasSpareGaussian = true;
        return u * mul;
    }

    /** {@code n} standard-normal floats scaled by {@code std}. */
    public float[] gaussians(int n, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (std * gaussian());
        }
        return out;
    }

    /** {@code n} indices drawn uniformly with replacement from [0, bound). */
    public int[] indices(int n, int bound) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = nextInt(bound);
        }
        return out;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The full generator state, for checkpoints. */
    public State state() {
        return new State(seed, new long[] {s0, s1, s2, s3}, hasSpareGaussian, spareGaussian);
    }

    /** Restores a state taken by {@link #state()}; the seed must match (it defines {@link #split}). */
    public void restore(State state) {
        if (state.seed() != seed) {
            throw new IllegalArgumentException("RNG state was taken from seed " + state.seed() + ", this generator has seed " + seed);
        }
        long[] w = state.words();
        s0 = w[0];
        s1 = w[1];
        s2 = w[2];
        s3 = w[3];
        hasSpareGaussian = state.hasSpareGaussian();
        spareGaussian = state.spareGaussian();
    }

    /** Serialisable generator state. */
    public record State(long seed, long[] words, boolean hasSpareGaussian, double spareGaussian) {
        public State {
            if (words.length != 4) {
                throw new IllegalArgumentException("xoshiro256** state has 4 words, got " + words.length);
            }
            words = words.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && s.seed == seed && Arrays.equals(s.words, words)
                    && s.hasSpareGaussian == hasSpareGaussian && Double.compare(s.spareGaussian, spareGaussian) == 0;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(seed) * 31 + Arrays.hashCode(words);
        }
    }
}
