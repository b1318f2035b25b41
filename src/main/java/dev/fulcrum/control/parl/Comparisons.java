package dev.fulcrum.control.parl;

import java.util.ArrayList;
import java.util.List;

/**
 * Labelled trajectory comparisons with expectation weights: entry {@code e} says that {@code preferred(e)} won over
 * {@code rejected(e)}, and carries weight {@code w_e}. A sampled batch of {@code Q} oracle answers has {@code w_e = 1/Q};
 * the exact expectation over pairs {@code (i, j)} from a policy and over the oracle's label has two entries per pair,
 * weighted {@code p_i p_j P(i > j)} and {@code p_i p_j P(j > i)}.
 */
public record Comparisons(List<Trajectory> preferred, List<Trajectory> rejected, double[] weights) {
    public Comparisons {
        preferred = List.copyOf(preferred);
        rejected = List.copyOf(rejected);
        if (preferred.size() != rejected.size() || weights.length != preferred.size()) {
            throw new IllegalArgumentException("comparison arrays differ in length: " + preferred.size() + " preferred, "
                    + rejected.size() + " rejected, " + weights.length + " weights");
        }
        weights = weights.clone();
    }

    public int size() {
        return preferred.size();
    }

    /** These comparisons and {@code more}, all reweighted equally ({@code 1/total}): a replay buffer of sampled answers. */
    public Comparisons plusEqualWeights(Comparisons more) {
        List<Trajectory> p = new ArrayList<>(preferred);
        List<Trajectory> r = new ArrayList<>(rejected);
        p.addAll(more.preferred);
        r.addAll(more.rejected);
        double[] w = new double[p.size()];
        java.util.Arrays.fill(w, 1.0 / Math.max(1, w.length));
        return new Comparisons(p, r, w);
    }

    public static Comparisons empty() {
        return new Comparisons(List.of(), List.of(), new double[0]);
    }
}
