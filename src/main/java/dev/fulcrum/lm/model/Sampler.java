package dev.fulcrum.lm.model;

import dev.fulcrum.core.rng.Rng;
import java.util.Arrays;

/**
 * Picks the next token from one row of logits on the Java side, drawing from the project's {@link Rng} (never from
 * PyTorch's generator), so a seed fixes every sample. Greedy decoding takes the lowest index among equal maxima.
 * Sampling applies temperature, top-k and top-p as {@link GenerationConfig} describes (the cuts rank tokens by logit,
 * ties by index) and draws one uniform number per token by inverse CDF over the survivors (in rank order when cut, in
 * index order otherwise).
 */
final class Sampler {
    private Sampler() {
    }

    static int next(double[] logits, int offset, int vocab, GenerationConfig cfg, Rng rng) {
        if (cfg.isGreedy()) {
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[offset + v] > logits[offset + best]) {
                    best = v;
                }
            }
            return best;
        }
        boolean cut = cfg.topK() > 0 && cfg.topK() < vocab || cfg.topP() < 1;
        int[] order = cut ? ranked(logits, offset, vocab) : identity(vocab);
        int keep = cfg.topK() > 0 ? Math.min(cfg.topK(), vocab) : vocab;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < keep; i++) {
            max = Math.max(max, logits[offset + order[i]]);
        }
        double[] weights = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            weights[i] = Math.exp((logits[offset + order[i]] - max) / cfg.temperature());
            total += weights[i];
        }
        if (cfg.topP() < 1) {
            double cumulative = 0;
            int nucleus = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += weights[i] / total;
                if (cumulative >= cfg.topP()) {
                    nucleus = i + 1;
                    break;
                }
            }
            keep = nucleus;
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += weights[i];
            }
        }
        double u = rng.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < keep; i++) {
            cumulative += weights[i];
            if (u < cumulative) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    private static int[] identity(int vocab) {
        int[] order = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Token indices by descending logit, ties by ascending index (one primitive sort of packed keys). */
    private static int[] ranked(double[] logits, int offset, int vocab) {
        long[] keys = new long[vocab];
        for (int v = 0; v < vocab; v++) {
            int bits = Float.floatToIntBits((float) -logits[offset + v]);
            int sortable = bits < 0 ? bits ^ 0x7fffffff : bits;
            keys[v] = ((long) sortable << 32) | v;
        }
        Arrays.sort(keys);
        int[] order = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }
}
