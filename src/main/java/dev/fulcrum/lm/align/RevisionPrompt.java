package dev.fulcrum.lm.align;

/**
 * The prompt under which the one model of SRPO acts as its own reviser {@code pi(y' | x, y)}: the task prompt, the
 * previous response as a draft, and a cue after which the revised response follows directly, in the same way a response
 * follows a task prompt:
 * <pre>
 *   x                      (ends with a newline, as every task prompt does; one is added if it does not)
 *   Draft: y
 *   Revised:
 *   y'                     (the completion)
 * </pre>
 * So {@code pi(y | x)} is the generator and {@code pi(y' | revise(x, y))} the reviser, with the same weights. Training
 * (SRPO's self-improvement terms) and inference ({@code SelfRevision}) build revision prompts here only.
 */
public final class RevisionPrompt {
    static final String DRAFT = "Draft: ";
    static final String REVISED = "\nRevised:\n";

    private RevisionPrompt() {
    }

    /** The revision prompt for the draft {@code response} to {@code prompt}. */
    public static String revise(String prompt, String response) {
        if (response.indexOf('\n') >= 0) {
            // a newline in the draft could imitate the cue; the task suite's responses are one line
            response = response.replace('\n', ' ');
        }
        String head = prompt.endsWith("\n") ? prompt : prompt + "\n";
        return head + DRAFT + response.strip() + REVISED;
    }
}
