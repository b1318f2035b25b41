package dev.fulcrum.control.eval;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Returns of a policy over N episodes and their D4RL normalised scores,
 * {@code 100 (R - R_random) / (R_expert - R_random)}.
 */
public record Evaluation(String envId, double[] returns, double[] normalisedScores) {

    public static Evaluation run(Env env, Policy policy, int episodes, Rng rng) {
        double[] returns = Collector.evaluate(env, policy, episodes, rng);
        double[] scores = Arrays.stream(returns).map(r -> env.spec().normalisedScore(r)).toArray();
        return new Evaluation(env.spec().id(), returns, scores);
    }

    public double meanReturn() {
        return Stats.mean(returns);
    }

    public double meanScore() {
        return Stats.mean(normalisedScores);
    }

    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("return_mean", meanReturn());
        m.put("return_std", Stats.std(returns));
        m.put("normalised_score", meanScore());
        return m;
    }
}
