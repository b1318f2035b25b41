package dev.fulcrum.lm.task;

import java.util.List;

/**
 * One generated task instance with its programmatic oracle.
 *
 * <p>Contract (checked for every family by {@code TaskOracleTest}): {@link #score} is the gold reward in [0, 1] and ignores
 * leading and trailing white space; the {@link #reference} scores exactly 1; {@link #corruptions} are graded, mildest
 * first, with strictly decreasing scores below 1, so that preference pairs with known quality gaps need no model.
 */
public interface Problem {
    /** The family that generated it (a {@link TaskSuite} name). */
    String family();

    /** The prompt; it ends with a newline, after which the response follows directly. */
    String prompt();

    /** A gold response. */
    String reference();

    /** Gold reward of {@code response} in [0, 1]. */
    double score(String response);

    /** Worse versions of the reference, mildest first, with strictly decreasing scores. */
    List<String> corruptions();

    /** Number of reasoning or tool steps the task needs (1 = single step); orders curricula from easy to hard. */
    int steps();
}
