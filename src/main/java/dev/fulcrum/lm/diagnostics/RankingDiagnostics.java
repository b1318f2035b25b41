package dev.fulcrum.lm.diagnostics;

import java.util.List;

/**
 * The ranking-accuracy diagnostics of Chen et al., "Preference Learning Algorithms Do Not Learn Preference Rankings"
 * (NeurIPS 2024), computed from sequence log-probabilities of each preference pair under the trained policy and its
 * reference model.
 *
 * <p>Notation: {@code lp(y) = log pi(y|x)} summed over the completion's tokens; {@code yw} is the preferred completion.
 * <pre>
 *   ranking accuracy          R(x, yw, yl)   = 1[ lp_pi(yw) >= lp_pi(yl) ]                                     (Def. 2.1)
 *   length-normalised         R_len          = 1[ lp_pi(yw)/|yw| >= lp_pi(yl)/|yl| ]
 *   idealised (perfect DPO/RLHF optimum, Thm 3.1):
 *       pi*(yw)/pi*(yl) = [ref(yw)/ref(yl)] * [p/(1-p)]^(1/beta)  so  R* = 1[ lp_ref(yw) - lp_ref(yl) + logit(p)/beta >= 0 ]
 *       with p the share of raters preferring yw (a single rater's p = 1 is taken as 1 - epsilon)
 *   difficulty                c              = log ref(yl) - log ref(yw)      (> 0: the reference ranks the pair wrongly)
 *   flip condition (Thm 4.1): R = 1  iff  L_DPO(x, yw, yl) <= -log sigma(beta c)
 *   alignment gap             idealised ranking accuracy - observed ranking accuracy
 * </pre>
 * The flip condition says how small the DPO loss of a pair must get before the policy ranks it correctly: for a pair the
 * reference ranks wrongly by a margin {@code c}, that bound is below {@code log 2} and shrinks quickly with {@code c},
 * which is why DPO rarely flips such pairs. {@link #flipStatistics} counts how many it does flip.
 */
public final class RankingDiagnostics {

    private RankingDiagnostics() {
    }

    /**
     * One preference pair's sequence log-probabilities and lengths.
     *
     * @param policyChosen      lp_pi(yw|x)
     * @param policyRejected    lp_pi(yl|x)
     * @param referenceChosen   lp_ref(yw|x)
     * @param referenceRejected lp_ref(yl|x)
     * @param chosenTokens      |yw| in tokens (for length normalisation)
     * @param rejectedTokens    |yl| in tokens
     * @param preferenceShare   p: the share of raters (or the oracle's probability) preferring yw, in [0.5, 1]
     */
    public record Pair(double policyChosen, double policyRejected, double referenceChosen, double referenceRejected,
                       int chosenTokens, int rejectedTokens, double preferenceShare) {
        public Pair {
            if (chosenTokens <= 0 || rejectedTokens <= 0) {
                throw new IllegalArgumentException("completion lengths must be positive, got " + chosenTokens + " and " + rejectedTokens);
            }
            if (!(preferenceShare >= 0.0 && preferenceShare <= 1.0)) {
                throw new IllegalArgumentException("preference share must be in [0, 1], got " + preferenceShare);
            }
        }

        /** The pair as its reference model sees it (policy = reference), e.g. before training. */
        public Pair atReference() {
            return new Pair(referenceChosen, referenceRejected, referenceChosen, referenceRejected, chosenTokens,
                    rejectedTokens, preferenceShare);
        }
    }

    /** {@code 1[lp_pi(yw) >= lp_pi(yl)]}. */
    public static boolean ranksCorrectly(Pair p) {
        return p.policyChosen() >= p.policyRejected();
    }

    /** {@code 1[lp_pi(yw)/|yw| >= lp_pi(yl)/|yl|]}. */
    public static boolean ranksCorrectlyLengthNormalised(Pair p) {
        return p.policyChosen() / p.chosenTokens() >= p.policyRejected() / p.rejectedTokens();
    }

    /** Difficulty {@code c = log ref(yl) - log ref(yw)}: positive when the reference ranks the pair wrongly. */
    public static double difficulty(Pair p) {
        return p.referenceRejected() - p.referenceChosen();
    }

    /**
     * Whether the idealised model (the exact optimum of DPO / KL-regularised RLHF with a Bradley-Terry reward) ranks the
     * pair correctly: {@code lp_ref(yw) - lp_ref(yl) + logit(p)/beta >= 0}, with {@code p} clipped to
     * {@code [epsilon, 1 - epsilon]}.
     */
    public static boolean idealisedRanksCorrectly(Pair p, double beta, double epsilon) {
        double share = Math.min(1 - epsilon, Math.max(epsilon, p.preferenceShare()));
        return -difficulty(p) + Math.log(share / (1 - share)) / beta >= 0;
    }

    /** DPO loss of a pair: {@code -log sigma(beta [(lp_pi(yw) - lp_ref(yw)) - (lp_pi(yl) - lp_ref(yl))])}. */
    public static double dpoLoss(Pair p, double beta) {
        double margin = beta * ((p.policyChosen() - p.referenceChosen()) - (p.policyRejected() - p.referenceRejected()));
        return softplus(-margin);
    }

    /**
     * The largest DPO loss at which the policy ranks the pair correctly (Thm 4.1): {@code -log sigma(beta c)}. A pair
     * is ranked correctly iff {@code dpoLoss(p, beta) <= flipThreshold(p, beta)}.
     */
    public static double flipThreshold(Pair p, double beta) {
        return softplus(-beta * difficulty(p));
    }

    /** Aggregate diagnostics of a set of pairs. */
    public record Report(int pairs, double rankingAccuracy, double lengthNormalisedRankingAccuracy,
                         double idealisedRankingAccuracy, double alignmentGap, double referenceRankingAccuracy,
                         double meanDifficulty, double meanDpoLoss, FlipStatistics flips) {
    }

    /**
     * How training moved the reference's rankings.
     *
     * @param referenceWrong  pairs the reference ranks wrongly (c > 0)
     * @param flippedToRight  of those, pairs the policy ranks correctly
     * @param referenceRight  pairs the reference ranks correctly
     * @param flippedToWrong  of those, pairs the policy ranks wrongly
     */
    public record FlipStatistics(int referenceWrong, int flippedToRight, int referenceRight, int flippedToWrong) {
        /** Share of the reference's wrongly ranked pairs that training corrected (NaN when there are none). */
        public double shareOfWrongFlipped() {
            return referenceWrong == 0 ? Double.NaN : (double) flippedToRight / referenceWrong;
        }

        /** Share of the reference's correctly ranked pairs that training broke (NaN when there are none). */
        public double shareOfRightBroken() {
            return referenceRight == 0 ? Double.NaN : (double) flippedToWrong / referenceRight;
        }
    }

    public static FlipStatistics flipStatistics(List<Pair> pairs) {
        int wrong = 0, fixed = 0, right = 0, broken = 0;
        for (Pair p : pairs) {
            boolean referenceCorrect = ranksCorrectly(p.atReference());
            boolean policyCorrect = ranksCorrectly(p);
            if (referenceCorrect) {
                right++;
                if (!policyCorrect) {
                    broken++;
                }
            } else {
                wrong++;
                if (policyCorrect) {
                    fixed++;
                }
            }
        }
        return new FlipStatistics(wrong, fixed, right, broken);
    }

    /** Every diagnostic over {@code pairs}; {@code beta} and {@code epsilon} define the idealised model. */
    public static Report report(List<Pair> pairs, double beta, double epsilon) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("ranking diagnostics need at least one preference pair");
        }
        if (!(beta > 0)) {
            throw new IllegalArgumentException("beta must be positive, got " + beta);
        }
        int n = pairs.size();
        double ra = 0, raLen = 0, ideal = 0, raRef = 0, difficulty = 0, loss = 0;
        for (Pair p : pairs) {
            ra += ranksCorrectly(p) ? 1 : 0;
            raLen += ranksCorrectlyLengthNormalised(p) ? 1 : 0;
            ideal += idealisedRanksCorrectly(p, beta, epsilon) ? 1 : 0;
            raRef += ranksCorrectly(p.atReference()) ? 1 : 0;
            difficulty += difficulty(p);
            loss += dpoLoss(p, beta);
        }
        return new Report(n, ra / n, raLen / n, ideal / n, (ideal - ra) / n, raRef / n, difficulty / n, loss / n,
                flipStatistics(pairs));
    }

    /** {@code log(1 + e^x)} without overflow. */
    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }
}
