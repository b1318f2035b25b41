package dev.fulcrum.lm.task;

/**
 * Bradley-Terry preferences over the gold reward: P(y1 > y2) = sigma((r(y1) - r(y2)) / t). Small t makes raters nearly
 * deterministic; large t makes them noisy. A reward model trained on its labels is well specified.
 */
public record BradleyTerryOracle(double temperature) implements PreferenceOracle {
    public BradleyTerryOracle {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("Bradley-Terry temperature must be positive and finite, got " + temperature);
        }
    }

    @Override
    public double probability(Problem problem, String first, String second) {
        return PreferenceOracle.sigmoid((problem.score(first) - problem.score(second)) / temperature);
    }

    @Override
    public String describe() {
        return "bradley-terry(t=" + temperature + ")";
    }
}
