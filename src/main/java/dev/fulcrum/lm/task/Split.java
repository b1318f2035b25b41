package dev.fulcrum.lm.task;

/**
 * Whether a task family is trained on (in-distribution) or kept for testing generalisation (held-out); {@code complex}:
 * held-in multi-tool families of the iTool experiments, trained on there but kept out of the {@code in-distribution}
 * group so that the suite's original data sets (and the shared base model's) stay as they were.
 */
public enum Split {
    IN_DISTRIBUTION("in-distribution"),
    HELD_OUT("held-out"),
    COMPLEX("complex");

    private final String label;

    Split(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
