package dev.fulcrum.lm.iterative;

import dev.fulcrum.lm.task.Problem;
import java.util.List;
import java.util.Map;

/** A test problem whose gold reward is a lookup table (responses not in it score 0). */
record TableProblem(String prompt, Map<String, Double> rewards) implements Problem {
    TableProblem(Map<String, Double> rewards) {
        this("q\n", rewards);
    }

    @Override
    public String family() {
        return "table";
    }

    @Override
    public String reference() {
        return "a";
    }

    @Override
    public double score(String response) {
        return rewards.getOrDefault(response, 0.0);
    }

    @Override
    public List<String> corruptions() {
        return List.of();
    }

    @Override
    public int steps() {
        return 1;
    }
}
