package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;

/** A generator of problems of one kind. Generation draws only from the given {@link Rng}, so it is reproducible. */
public interface TaskFamily {
    String name();

    Split split();

    /** One line for {@code fulcrum lm tasks}. */
    String description();

    Problem generate(Rng rng);
}
