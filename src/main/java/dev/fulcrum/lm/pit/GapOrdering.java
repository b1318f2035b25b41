package dev.fulcrum.lm.pit;

import dev.fulcrum.lm.align.RevisionPrompt;
import java.util.List;

/**
 * One ordering that PIT's gap reward model is trained on: the quality gap of {@code higher} should exceed that of
 * {@code lower}. A {@link Revision} is a response {@code y} to a prompt {@code x} read against a reference response
 * {@code y_ref}; its gap reward is {@code R_PIT(x, y_ref, y)}, the reward model's score of
 * {@code <bos> revise(x, y_ref) y <eos>} ({@link RevisionPrompt#revise}).
 *
 * <p>From one preference pair {@code (x, yw, yl)}, writing {@code gap(a|b) = R_PIT(x, y_ref=b, y=a)}, the five orderings
 * of Wang et al. (2023, "Enabling Language Models to Implicitly Learn Self-Improvement", section 3, eq. 2) as
 * reconstructed in the project's ALGORITHMS.md:
 * <pre>
 *   gap(w|l) > gap(w|w)      improving on the worse response beats repeating the better one
 *   gap(w|l) > gap(l|l)      ... and beats repeating the worse one
 *   gap(w|l) > gap(l|w)      improving beats degrading
 *   gap(w|w) > gap(l|w)      repeating the better response beats degrading it
 *   gap(l|l) > gap(l|w)      repeating the worse response beats degrading the better one
 * </pre>
 * so that {@code gap(w|l) > gap(w|w) ~ gap(l|l) > gap(l|w)}: the chain {@code r_gap^{w,l} >= r_gap^{w,w} ~ r_gap^{l,l}
 * >= r_gap^{l,w}} of the paper, with its five strict inequalities. A secondary summary of the paper (not the paper's own
 * text, which could not be read here) confirms this chain and "five inequalities"; the exact weighting of the terms in the
 * paper's loss is not verified, and each ordering is weighted equally here.
 *
 * @param name   which of the five orderings (for per-ordering accuracy)
 * @param higher the revision whose gap should be larger
 * @param lower  the revision whose gap should be smaller
 */
public record GapOrdering(String name, Revision higher, Revision lower) {
    /** Names of the five orderings, in the order {@link #of} returns them. */
    public static final List<String> NAMES = List.of("wl>ww", "wl>ll", "wl>lw", "ww>lw", "ll>lw");

    /** A response {@code y} read against the reference {@code y_ref}. */
    public record Revision(String reference, String response) {
        /** The reward model's prompt: {@code x} with {@code y_ref} as the draft ({@link RevisionPrompt#revise}). */
        public String prompt(String taskPrompt) {
            return RevisionPrompt.revise(taskPrompt, reference);
        }
    }

    /** The five orderings of the pair {@code (chosen, rejected)}, named as {@link #NAMES}. */
    public static List<GapOrdering> of(String chosen, String rejected) {
        Revision wl = new Revision(rejected, chosen), ww = new Revision(chosen, chosen), ll = new Revision(rejected, rejected),
                lw = new Revision(chosen, rejected);
        return List.of(new GapOrdering(NAMES.get(0), wl, ww), new GapOrdering(NAMES.get(1), wl, ll),
                new GapOrdering(NAMES.get(2), wl, lw), new GapOrdering(NAMES.get(3), ww, lw),
                new GapOrdering(NAMES.get(4), ll, lw));
    }
}
