package dev.fulcrum.lm.iterative;

import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import java.util.List;
import java.util.Optional;

/**
 * How one iteration turns a prompt's sampled responses into (at most) one training pair.
 *
 * <ul>
 *   <li>{@link WinRate}: each candidate's win rate against the other candidates under the preference oracle,
 *       {@code w_i = mean_{j != i} P(y_i > y_j)} (DNO's reward {@code r_t(x, y) = E_{y' ~ pi_t} P(y > y')}, estimated on the
 *       samples); the best candidate is chosen, the worst rejected, and the pair is kept only when
 *       {@code w_best - w_worst >= minMargin} (DNO-Prct's large-margin filter; INPO's best-vs-worst uses a margin of 0
 *       and keeps every pair whose candidates differ). The oracle's probability is used rather than drawn verdicts: the
 *       expected label of many raters, with less noise.</li>
 *   <li>{@link ScalarReward}: best vs worst by the gold reward, which orders responses as a Bradley-Terry oracle over it
 *       does ({@code P(y > y') = sigma((r(y) - r(y'))/t)} is monotone in {@code r(y) - r(y')}): the labels a well-fitted
 *       Bradley-Terry reward model would give, used by iterative DPO. Under an intransitive oracle it is the
 *       misspecified (transitive) view of the preference.</li>
 * </ul>
 */
public sealed interface PairSelection {
    /** Score gaps up to this are ties (win rates are sums of probabilities, so equal ones can differ by rounding). */
    double TIE = 1e-12;

    /** One selected pair and what it was selected by. */
    record Pair(Problem problem, String chosen, String rejected, double chosenScore, double rejectedScore) {
        public double margin() {
            return chosenScore - rejectedScore;
        }
    }

    /** The pair for {@code problem} from {@code candidates}, or empty when no pair passes the filter. */
    Optional<Pair> select(Problem problem, List<String> candidates, PreferenceOracle oracle);

    String describe();

    record WinRate(double minMargin) implements PairSelection {
        public WinRate {
            if (!(minMargin >= 0 && minMargin <= 1)) {
                throw new IllegalArgumentException("the win-rate margin must be in [0, 1], got " + minMargin);
            }
        }

        @Override
        public Optional<Pair> select(Problem problem, List<String> candidates, PreferenceOracle oracle) {
            return bestAndWorst(problem, candidates, winRates(problem, candidates, oracle), minMargin);
        }

        /** {@code w_i = mean_{j != i} P(y_i > y_j)}. */
        public static double[] winRates(Problem problem, List<String> candidates, PreferenceOracle oracle) {
            int k = candidates.size();
            if (k < 2) {
                throw new IllegalArgumentException("win rates need at least 2 candidates, got " + k);
            }
            double[] w = new double[k];
            for (int i = 0; i < k; i++) {
                for (int j = i + 1; j < k; j++) {
                    double p = oracle.probability(problem, candidates.get(i), candidates.get(j));
                    w[i] += p;
                    w[j] += 1 - p;
                }
            }
            for (int i = 0; i < k; i++) {
                w[i] /= k - 1;
            }
            return w;
        }

        @Override
        public String describe() {
            return "win rate against the other samples under the oracle, best vs worst, margin >= " + minMargin;
        }
    }

    /**
     * Best vs worst by the gold reward, kept when the reward gap is at least {@code minGap} (0: every pair whose rewards
     * differ; on-policy DPO's gap filter keeps only prompts whose samples differ clearly in quality).
     */
    record ScalarReward(double minGap) implements PairSelection {
        public ScalarReward {
            if (!(minGap >= 0 && minGap <= 1)) {
                throw new IllegalArgumentException("the gold-reward gap must be in [0, 1], got " + minGap);
            }
        }

        public ScalarReward() {
            this(0);
        }

        @Override
        public Optional<Pair> select(Problem problem, List<String> candidates, PreferenceOracle oracle) {
            double[] r = candidates.stream().mapToDouble(problem::score).toArray();
            return bestAndWorst(problem, candidates, r, minGap);
        }

        @Override
        public String describe() {
            return "gold reward (Bradley-Terry order), best vs worst" + (minGap > 0 ? ", gap >= " + minGap : "");
        }
    }

    /**
     * The highest- and lowest-scored candidates (the first of equals), when their score gap is at least {@code minMargin}
     * and above {@link #TIE}, their texts differ and neither is blank (a preference row needs two responses).
     */
    private static Optional<Pair> bestAndWorst(Problem problem, List<String> candidates, double[] score, double minMargin) {
        int best = 0, worst = 0;
        for (int i = 1; i < score.length; i++) {
            if (score[i] > score[best]) {
                best = i;
            }
            if (score[i] < score[worst]) {
                worst = i;
            }
        }
        double gap = score[best] - score[worst];
        if (!(gap > TIE) || gap < minMargin || candidates.get(best).equals(candidates.get(worst))
                || candidates.get(best).isBlank() || candidates.get(worst).isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Pair(problem, candidates.get(best), candidates.get(worst), score[best], score[worst]));
    }
}
