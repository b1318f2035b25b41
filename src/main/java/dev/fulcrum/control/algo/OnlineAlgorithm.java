package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import dev.fulcrum.core.rng.Rng;

/**
 * An algorithm that can also gather its own experience. Its learning step is {@link OfflineAlgorithm}'s (one gradient
 * step on a minibatch, wherever the minibatch comes from: a fixed dataset or a replay buffer that grows online), so the
 * offline trainer can run it unchanged; in addition it draws exploratory actions from its stochastic policy, which the
 * online trainer executes in the environment. SAC is online by design; IQL and AWAC are offline algorithms whose
 * stochastic actors act during offline-to-online fine-tuning.
 */
public interface OnlineAlgorithm extends OfflineAlgorithm {
    /**
     * Stochastic actions in the normalised box [-1, 1] for normalised observations [B, S]. Every random draw comes from
     * {@code rng} (the run's exploration stream), so a resumed run explores exactly as an uninterrupted one.
     */
    NDArray explore(NDArray observations, Rng rng);
}
