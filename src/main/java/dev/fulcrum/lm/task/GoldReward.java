package dev.fulcrum.lm.task;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The gold reward of a (prompt, response) pair, for trainers that carry prompts only: the prompt names its problem. */
public final class GoldReward {
    private final Map<String, Problem> byPrompt = new HashMap<>();

    public GoldReward(List<Problem> problems) {
        for (Problem p : problems) {
            Problem before = byPrompt.putIfAbsent(p.prompt(), p);
            if (before != null && !before.reference().equals(p.reference())) {
                throw new IllegalArgumentException("two problems share the prompt " + p.prompt().strip() + " but differ");
            }
        }
    }

    /** Reward in [0, 1]; the prompt must be one of the problems'. */
    public double score(String prompt, String response) {
        return problem(prompt).score(response);
    }

    public Problem problem(String prompt) {
        Problem p = byPrompt.get(prompt);
        if (p == null) {
            throw new IllegalArgumentException("no problem has the prompt '" + prompt.strip() + "'");
        }
        return p;
    }
}
