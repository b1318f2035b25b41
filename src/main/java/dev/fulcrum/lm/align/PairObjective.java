package dev.fulcrum.lm.align;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * An offline objective over scored preference pairs (DPO and its variants, the Bradley-Terry reward loss, ...). The
 * shared preference trainer scores each batch once under the policy (and, when {@link #needsReference()}, the reference
 * model) and hands the scores here; an objective holds only its mathematics.
 */
public interface PairObjective {
    String name();

    /** Whether {@link #loss} reads the reference model's log-probabilities. */
    boolean needsReference();

    /** Whether {@link #loss} also reads a second anchor's log-probabilities ({@link PairScores#hasAnchor()}). */
    default boolean needsAnchor() {
        return false;
    }

    /** Per-pair losses {@code [B]}, differentiable with respect to the policy's scores. */
    NDArray loss(PairScores scores);

    /** Diagnostics of the batch (no gradient), named as TRL names them where TRL has a name. */
    Map<String, Double> metrics(PairScores scores);
}
