package dev.fulcrum.lm.pit;

import dev.fulcrum.lm.align.RevisionPrompt;
import dev.fulcrum.lm.task.Problem;
import java.util.List;

/**
 * A task problem posed as a revision: the prompt is {@code revise(x, y_ref)} ({@link RevisionPrompt}), the response is
 * the revised answer, and the gold reward is the task's own ({@code task.score(y)}). PIT's RL stages roll out on these
 * (the gold reward is monitored only; the trained reward is the gap reward model's).
 *
 * @param task      the problem {@code x} comes from
 * @param draft     the reference response {@code y_ref} shown as the draft
 * @param source    where the draft came from ({@code data-rejected}, {@code sft-sample}, {@code stage1-policy}, ...)
 */
public record RevisionProblem(Problem task, String draft, String source) implements Problem {
    @Override
    public String family() {
        return task.family();
    }

    @Override
    public String prompt() {
        return RevisionPrompt.revise(task.prompt(), draft);
    }

    @Override
    public String reference() {
        return task.reference();
    }

    @Override
    public double score(String response) {
        return task.score(response);
    }

    @Override
    public List<String> corruptions() {
        return task.corruptions();
    }

    @Override
    public int steps() {
        return task.steps();
    }
}
