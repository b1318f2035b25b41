package dev.fulcrum.control.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.algo.Awac;
import dev.fulcrum.control.algo.A2pr;
import dev.fulcrum.control.algo.Bc;
import dev.fulcrum.control.algo.FamO2O;
import dev.fulcrum.control.algo.Iql;
import dev.fulcrum.control.algo.OfflineAlgorithm;
import dev.fulcrum.control.algo.OnlineAlgorithm;
import dev.fulcrum.control.algo.Sac;
import dev.fulcrum.control.algo.Td3Bc;
import dev.fulcrum.core.rng.Rng;

/** Builds the algorithm a {@link TrainConfig} names. */
public final class Algorithms {
    private Algorithms() {
    }

    public static OfflineAlgorithm create(TrainConfig c, NDManager manager, int observationDim, int actionDim, DataType dtype,
                                          Rng rng) {
        return switch (c.algo()) {
            case "iql" -> new Iql(manager, observationDim, actionDim, c.iql(), c.steps(), dtype, rng);
            case "td3bc" -> new Td3Bc(manager, observationDim, actionDim, c.td3bc(), dtype, rng);
            case "bc" -> new Bc(manager, observationDim, actionDim, c.bc(), dtype, rng);
            case "awac" -> new Awac(manager, observationDim, actionDim, c.awac(), dtype, rng);
            case "a2pr" -> new A2pr(manager, observationDim, actionDim, c.a2pr(), dtype, rng);
            case "famo2o" -> new FamO2O(manager, observationDim, actionDim, c.iql(), c.famo2o(), c.steps(), c.steps(), dtype, rng);
            default -> throw new IllegalArgumentException("unknown algorithm " + c.algo());
        };
    }

    /**
     * Builds the algorithm an {@link OnlineConfig} names. IQL's cosine actor schedule spans every gradient step of the run
     * (the offline phase and one per online step).
     */
    public static OnlineAlgorithm createOnline(OnlineConfig c, NDManager manager, int observationDim, int actionDim,
                                               DataType dtype, Rng rng) {
        return switch (c.algo()) {
            case "sac" -> new Sac(manager, observationDim, actionDim, c.sac(), dtype, rng);
            case "iql" -> new Iql(manager, observationDim, actionDim, c.iql(), c.gradientSteps(), dtype, rng);
            case "awac" -> new Awac(manager, observationDim, actionDim, c.awac(), dtype, rng);
            case "famo2o" -> new FamO2O(manager, observationDim, actionDim, c.iql(), c.famo2o(), c.gradientSteps(),
                    c.offlineSteps(), dtype, rng);
            default -> throw new IllegalArgumentException("unknown online algorithm " + c.algo());
        };
    }
}
