package dev.fulcrum.lm.train;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Rliable;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.IntransitiveOracle;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Oracle-judged win rate of one set of responses against another on the same problems: for problem {@code i} with
 * responses {@code a_i} (the model's) and {@code b_i} (the opponent's: another model's or the reference answer),
 * {@code w_i = P(a_i > b_i)} under a {@link PreferenceOracle}. Using the oracle's probability rather than one drawn verdict
 * gives the same expectation with less noise; ties of a Bradley-Terry oracle count one half.
 *
 * <p>The win rate is the mean over families of each family's mean {@code w_i} (every family weighs the same), with a
 * 95% stratified-bootstrap interval that resamples problems within each family ({@link Rliable#stratifiedBootstrap}).
 */
public final class WinRateEvaluation {
    /** One family's win rate. */
    public record FamilyWinRate(String family, int problems, double winRate) {
    }

    public record Result(String oracle, String opponent, Rliable.Interval winRate, List<FamilyWinRate> families) {
    }

    /** The gold reward as a deterministic judge: the better response wins, equal rewards tie. */
    public record GoldJudge() implements PreferenceOracle {
        @Override
        public double probability(Problem problem, String first, String second) {
            return Double.compare(problem.score(first), problem.score(second)) * 0.5 + 0.5;
        }

        @Override
        public String describe() {
            return "gold (the higher gold reward wins, ties count 1/2)";
        }
    }

    private WinRateEvaluation() {
    }

    /** An oracle by name: {@code bt} (Bradley-Terry over the gold reward), {@code intransitive}, or {@code gold}. */
    public static PreferenceOracle oracle(String name, double temperature, double cycleWeight) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "bt", "bradley-terry" -> new BradleyTerryOracle(temperature);
            case "intransitive" -> new IntransitiveOracle(temperature, cycleWeight);
            case "gold" -> new GoldJudge();
            default -> throw new IllegalArgumentException("unknown oracle '" + name + "' (bt, intransitive, gold)");
        };
    }

    public static Result compare(List<Problem> problems, List<String> responses, List<String> opponents, String opponent,
                                 PreferenceOracle oracle, int resamples, Rng rng) {
        if (problems.isEmpty() || problems.size() != responses.size() || problems.size() != opponents.size()) {
            throw new IllegalArgumentException("need one response and one opponent response per problem (and a problem), got "
                    + problems.size() + ", " + responses.size() + ", " + opponents.size());
        }
        Map<String, List<Double>> byFamily = new LinkedHashMap<>();
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            byFamily.computeIfAbsent(p.family(), k -> new ArrayList<>()).add(oracle.probability(p, responses.get(i), opponents.get(i)));
        }
        double[][] scores = new double[byFamily.size()][];
        List<FamilyWinRate> families = new ArrayList<>();
        int t = 0;
        for (var e : byFamily.entrySet()) {
            scores[t] = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            families.add(new FamilyWinRate(e.getKey(), scores[t].length, dev.fulcrum.core.stats.Stats.mean(scores[t])));
            t++;
        }
        Rliable.Interval interval = Rliable.stratifiedBootstrap(scores, Rliable.Aggregate.MEAN, resamples, 0.95, rng);
        return new Result(oracle.describe(), opponent, interval, families);
    }
}
