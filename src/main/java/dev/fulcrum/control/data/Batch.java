package dev.fulcrum.control.data;

import ai.djl.ndarray.NDArray;

/**
 * A minibatch of preprocessed transitions as tensors: observations [B, S] (normalised), actions [B, A] (in [-1, 1]),
 * rewards [B] (shaped), nextObservations [B, S], dones [B] (1 for a true terminal, 0 otherwise; timeouts are 0).
 */
public record Batch(NDArray observations, NDArray actions, NDArray rewards, NDArray nextObservations, NDArray dones) {
    public long size() {
        return rewards.getShape().get(0);
    }
}
