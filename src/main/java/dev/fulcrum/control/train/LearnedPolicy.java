package dev.fulcrum.control.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.algo.OfflineAlgorithm;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.core.rng.Rng;

/** A trained algorithm as an environment policy: raw observation -> normalise -> deterministic action -> env units. */
public final class LearnedPolicy implements Policy {
    private final OfflineAlgorithm algorithm;
    private final Preprocessor preprocessor;
    private final NDManager manager;

    public LearnedPolicy(OfflineAlgorithm algorithm, Preprocessor preprocessor, NDManager manager) {
        this.algorithm = algorithm;
        this.preprocessor = preprocessor;
        this.manager = manager;
    }

    @Override
    public float[] act(float[] observation, Rng rng) {
        try (NDScope ignored = new NDScope()) {
            NDArray obs = manager.create(preprocessor.normaliseObservation(observation), new Shape(1, observation.length));
            return preprocessor.toEnvAction(algorithm.act(obs).toFloatArray());
        }
    }
}
