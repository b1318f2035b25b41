package dev.fulcrum.lm.iterative;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.train.WinRateEvaluation;
import java.util.ArrayList;
import java.util.List;

/**
 * The general-preference win rate of a policy against a fixed opponent (the SFT model):
 * {@code P(pi > sft) = E_x E_{y ~ pi(x), y' ~ sft(x)} P(y > y')}, estimated with {@code n} sampled responses of each model
 * per problem, paired in order, and the oracle's probability for each pair. Aggregated as
 * {@link WinRateEvaluation#compare} does (mean over families, stratified bootstrap over problems and samples), with the
 * policy's mean gold reward beside it.
 */
public final class PolicyWinRate {
    public record Result(WinRateEvaluation.Result winRate, double goldReward) {
    }

    private PolicyWinRate() {
    }

    public static Result evaluate(List<Problem> problems, List<List<String>> policy, List<List<String>> opponent, String opponentName,
                                  PreferenceOracle oracle, int resamples, Rng rng) {
        if (problems.size() != policy.size() || problems.size() != opponent.size()) {
            throw new IllegalArgumentException("need the samples of both models for every problem: " + problems.size() + " problems, "
                    + policy.size() + " and " + opponent.size() + " sample lists");
        }
        List<Problem> flat = new ArrayList<>();
        List<String> mine = new ArrayList<>(), theirs = new ArrayList<>();
        double gold = 0;
        for (int i = 0; i < problems.size(); i++) {
            int n = Math.min(policy.get(i).size(), opponent.get(i).size());
            for (int j = 0; j < n; j++) {
                flat.add(problems.get(i));
                mine.add(policy.get(i).get(j));
                theirs.add(opponent.get(i).get(j));
                gold += problems.get(i).score(policy.get(i).get(j));
            }
        }
        WinRateEvaluation.Result win = WinRateEvaluation.compare(flat, mine, theirs, opponentName, oracle, resamples, rng);
        return new Result(win, gold / flat.size());
    }
}
