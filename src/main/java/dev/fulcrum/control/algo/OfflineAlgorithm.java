package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.core.nn.SideLane;
import dev.fulcrum.core.run.Checkpoint;
import java.util.Map;

/**
 * An offline RL algorithm in d3rlpy's manner: it owns its networks and optimisers, takes one gradient step per
 * {@link #update}, and acts deterministically for evaluation. The shared {@code OfflineTrainer} runs the loop around it
 * (sampling, scopes, logging, evaluation, checkpoints), so an algorithm class holds only its own mathematics.
 *
 * <p>Every algorithm names its parts the same way: the <b>signal</b> it improves against (a value, an advantage), the
 * <b>anchor</b> that holds it (the dataset's actions) and the <b>balance</b> between them (IQL's beta, TD3+BC's alpha).
 */
public interface OfflineAlgorithm {
    String name();

    /**
     * One gradient step on {@code batch}. Called inside an {@code NDScope}: every tensor it creates is released after.
     * Returns scalar diagnostics when {@code withMetrics} (reading them forces a device sync), else an empty map.
     */
    Map<String, Double> update(Batch batch, long step, boolean withMetrics);

    /** Deterministic actions in the normalised box [-1, 1] for normalised observations [B, S]. */
    NDArray act(NDArray observations);

    /**
     * Every tensor needed to resume bit-for-bit: the live weights and target networks, and copies of the optimiser
     * moments made in {@code scratch} (which the caller closes).
     */
    Map<String, NDArray> stateTensors(NDManager scratch);

    /** Counters needed to resume (optimiser step counts...). */
    Map<String, String> stateMetadata();

    /**
     * Lets the algorithm run independent parts of its step on a second thread. The default ignores it; algorithms whose
     * step has independent updates (IQL) use it. Numbers must not change.
     */
    default void useSideLane(SideLane lane) {
    }

    /** Restores what {@link #stateTensors()} and {@link #stateMetadata()} saved. */
    void loadState(Checkpoint checkpoint);
}
