package dev.fulcrum.lm.pit;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.task.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * PIT's two-stage curriculum of reference responses for RL (Wang et al. 2023, section 3.4; the stage structure is
 * confirmed by summaries of the paper, the exact mix of stage-1 references is reconstructed):
 * <ol>
 *   <li>stage 1, {@link #fromData}: {@code y_ref} from the data, the rejected response {@code yl} of each preference pair
 *       and the policy (SFT) model's sampled responses to the pairs' prompts: references that are easy to improve on;</li>
 *   <li>stage 2, {@link #fromPolicy}: {@code y_ref} sampled from the stage-1 PIT policy itself (its revision of a stage-1
 *       prompt), so that the model learns to improve on its own, already improved, responses.</li>
 * </ol>
 */
public final class Curriculum {
    public static final String DATA_REJECTED = "data-rejected";
    public static final String SFT_SAMPLE = "sft-sample";
    public static final String STAGE1_POLICY = "stage1-policy";

    private Curriculum() {
    }

    /** A preference pair's task problem and its rejected response. */
    public record Rejected(Problem task, String rejected) {
    }

    /**
     * Stage 1: one revision problem per pair with its rejected response as the draft, then one per SFT response
     * ({@code sftResponses.get(i)} answers {@code sftTasks.get(i)}).
     */
    public static List<RevisionProblem> fromData(List<Rejected> pairs, List<Problem> sftTasks, List<String> sftResponses) {
        if (sftTasks.size() != sftResponses.size()) {
            throw new IllegalArgumentException(sftTasks.size() + " SFT tasks but " + sftResponses.size() + " SFT responses");
        }
        List<RevisionProblem> out = new ArrayList<>(pairs.size() + sftTasks.size());
        for (Rejected r : pairs) {
            out.add(new RevisionProblem(r.task(), r.rejected(), DATA_REJECTED));
        }
        for (int i = 0; i < sftTasks.size(); i++) {
            out.add(new RevisionProblem(sftTasks.get(i), sftResponses.get(i), SFT_SAMPLE));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("stage 1 has no reference responses: no pairs and no SFT responses");
        }
        return out;
    }

    /**
     * Up to {@code size} stage-1 problems drawn without replacement by {@code rng}: the prompts whose revisions by the
     * stage-1 policy become stage 2's references.
     */
    public static List<RevisionProblem> sample(List<RevisionProblem> stage1, int size, Rng rng) {
        int[] order = rng.permutation(stage1.size());
        List<RevisionProblem> out = new ArrayList<>();
        for (int i = 0; i < Math.min(size, stage1.size()); i++) {
            out.add(stage1.get(order[i]));
        }
        return out;
    }

    /**
     * Stage 2: the stage-1 policy's revision {@code revisions.get(i)} of {@code revised.get(i)} becomes the draft of a new
     * revision problem on the same task.
     */
    public static List<RevisionProblem> fromPolicy(List<RevisionProblem> revised, List<String> revisions) {
        if (revised.size() != revisions.size()) {
            throw new IllegalArgumentException(revised.size() + " stage-1 prompts but " + revisions.size() + " revisions");
        }
        List<RevisionProblem> out = new ArrayList<>(revised.size());
        for (int i = 0; i < revised.size(); i++) {
            out.add(new RevisionProblem(revised.get(i).task(), revisions.get(i), STAGE1_POLICY));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("stage 2 has no reference responses");
        }
        return out;
    }
}
