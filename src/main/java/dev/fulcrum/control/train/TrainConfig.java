package dev.fulcrum.control.train;

import dev.fulcrum.control.algo.A2pr;
import dev.fulcrum.control.algo.Awac;
import dev.fulcrum.control.algo.Bc;
import dev.fulcrum.control.algo.FamO2O;
import dev.fulcrum.control.algo.Iql;
import dev.fulcrum.control.algo.Td3Bc;
import dev.fulcrum.core.config.ConfigException;
import java.util.Set;

/**
 * Everything that defines an offline training run. Loaded by {@code ConfigLoader} from defaults, an optional YAML/JSON
 * file and {@code key=value} overrides; written resolved to the run's {@code config.json}.
 *
 * @param algo                  iql, td3bc, bc, awac, a2pr or famo2o (IQL with FamO2O's balance model; its IQL part reads {@code iql})
 * @param env                   environment id (for dimensions, reward shaping and evaluation)
 * @param dataset               a D4RL-layout HDF5 file or a Minari dataset (directory or main_data.hdf5)
 * @param seed                  the run's seed: initialisation, minibatches, noise and evaluation all derive from it
 * @param steps                 gradient steps
 * @param batchSize             minibatch size
 * @param logEvery              training metrics every this many steps
 * @param evalEvery             evaluation every this many steps (and at the end)
 * @param evalEpisodes          episodes per evaluation
 * @param checkpointEvery       checkpoint every this many steps (and at the end)
 * @param keepCheckpoints       how many recent checkpoints to keep
 * @param normaliseObservations standardise observations with dataset statistics
 * @param rewardShaping         none, return-range or minus-one ({@code auto}: minus-one for sparse rewards; for dense ones
 *                              return-range, except none for AWAC, as CORL)
 */
public record TrainConfig(String algo, String env, String dataset, long seed, long steps, int batchSize, int logEvery,
                          int evalEvery, int evalEpisodes, int checkpointEvery, int keepCheckpoints,
                          boolean normaliseObservations, String rewardShaping, Iql.Config iql, Td3Bc.Config td3bc,
                          Bc.Config bc, Awac.Config awac, A2pr.Config a2pr, FamO2O.Config famo2o) {
    public static final Set<String> ALGORITHMS = Set.of("iql", "td3bc", "bc", "awac", "a2pr", "famo2o");

    public static TrainConfig defaults() {
        return new TrainConfig("iql", "pendulum", "", 0, 100_000, 256, 1000, 5000, 10, 10_000, 2, true, "auto",
                Iql.Config.defaults(), Td3Bc.Config.defaults(), Bc.Config.defaults(), Awac.Config.defaults(),
                A2pr.Config.defaults(), FamO2O.Config.defaults());
    }

    public TrainConfig {
        if (algo == null || !ALGORITHMS.contains(algo)) {
            throw new ConfigException("algo", "must be one of " + ALGORITHMS + ", got '" + algo + "'");
        }
        positive("steps", steps);
        positive("batchSize", batchSize);
        positive("logEvery", logEvery);
        positive("evalEvery", evalEvery);
        positive("evalEpisodes", evalEpisodes);
        positive("checkpointEvery", checkpointEvery);
        positive("keepCheckpoints", keepCheckpoints);
        if (!Set.of("auto", "none", "return-range", "minus-one").contains(rewardShaping)) {
            throw new ConfigException("rewardShaping", "must be auto, none, return-range or minus-one, got '" + rewardShaping + "'");
        }
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new ConfigException(field, "must be positive, got " + v);
        }
    }

    public TrainConfig withDataset(String path) {
        return new TrainConfig(algo, env, path, seed, steps, batchSize, logEvery, evalEvery, evalEpisodes, checkpointEvery,
                keepCheckpoints, normaliseObservations, rewardShaping, iql, td3bc, bc, awac, a2pr, famo2o);
    }
}
