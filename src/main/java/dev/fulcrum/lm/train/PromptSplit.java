package dev.fulcrum.lm.train;

import dev.fulcrum.core.rng.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A held-out split by prompt: the rows of a random {@code fraction} of the distinct prompts are held out, so no held-out
 * prompt is ever trained on (pairs sharing a prompt stay together).
 *
 * @param heldOut        per row: whether it is held out
 * @param prompts        distinct prompts
 * @param heldOutPrompts distinct prompts held out, {@code ceil(fraction * prompts)}
 */
public record PromptSplit(boolean[] heldOut, int prompts, int heldOutPrompts) {

    /**
     * Splits rows by their prompt text; {@code rng} draws one permutation of the distinct prompts (in order of first
     * occurrence). Fails, naming {@code field}, when the fraction would leave nothing to train on.
     */
    public static PromptSplit of(List<String> rowPrompts, double fraction, Rng rng, String dataPath, String field) {
        Map<String, Integer> promptIndex = new LinkedHashMap<>();
        for (String p : rowPrompts) {
            promptIndex.putIfAbsent(p, promptIndex.size());
        }
        int prompts = promptIndex.size();
        int heldOutPrompts = (int) Math.ceil(fraction * prompts);
        boolean[] held = new boolean[prompts];
        int[] order = rng.permutation(prompts);
        for (int i = 0; i < heldOutPrompts; i++) {
            held[order[i]] = true;
        }
        if (heldOutPrompts == prompts) {
            throw new IllegalArgumentException(dataPath + ": " + field + " " + fraction + " leaves no prompt to train on ("
                    + prompts + " prompts)");
        }
        boolean[] rows = new boolean[rowPrompts.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = held[promptIndex.get(rowPrompts.get(i))];
        }
        return new PromptSplit(rows, prompts, heldOutPrompts);
    }
}
