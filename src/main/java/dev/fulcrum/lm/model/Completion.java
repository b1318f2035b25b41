package dev.fulcrum.lm.model;

/**
 * A generated continuation: the new tokens, ending with the stop token when {@code stopped} (so that scoring the
 * completion also scores the decision to stop), otherwise cut at {@code maxNewTokens}.
 */
public record Completion(int[] tokens, boolean stopped) {
    public Completion {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    public int length() {
        return tokens.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Completion c && c.stopped == stopped && java.util.Arrays.equals(c.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(tokens) * 2 + (stopped ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Completion[" + java.util.Arrays.toString(tokens) + (stopped ? ", stopped]" : ", cut]");
    }
}
