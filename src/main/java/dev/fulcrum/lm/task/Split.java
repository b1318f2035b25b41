package dev.fulcrum.lm.task;

/** Whether a task family is trained on (in-distribution) or kept for testing generalisation (held-out). */
public enum Split {
    IN_DISTRIBUTION("in-distribution"),
    HELD_OUT("held-out");

    private final String label;

    Split(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
