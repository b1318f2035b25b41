package dev.fulcrum.control.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.algo.OnlineAlgorithm;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.core.rng.Rng;

/**
 * An online-capable algorithm's stochastic policy as an environment policy: raw observation -> normalise -> a draw from
 * {@link OnlineAlgorithm#explore} (noise from the {@code rng} passed to {@link #act}) -> environment units. It gathers
 * experience during online training and collects datasets from trained policies; {@link LearnedPolicy} is the
 * deterministic counterpart used for evaluation.
 */
public final class ExploringPolicy implements Policy {
    private final OnlineAlgorithm algorithm;
    private final Preprocessor preprocessor;
    private final NDManager manager;

    public ExploringPolicy(OnlineAlgorithm algorithm, Preprocessor preprocessor, NDManager manager) {
        this.algorithm = algorithm;
        this.preprocessor = preprocessor;
        this.manager = manager;
    }

    @Override
    public float[] act(float[] observation, Rng rng) {
        try (NDScope ignored = new NDScope()) {
            NDArray obs = manager.create(preprocessor.normaliseObservation(observation), new Shape(1, observation.length));
            return preprocessor.toEnvAction(algorithm.explore(obs, rng).toFloatArray());
        }
    }

    @Override
    public String toString() {
        return "Exploring(" + algorithm.name() + ")";
    }
}
