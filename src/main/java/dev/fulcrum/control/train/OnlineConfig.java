package dev.fulcrum.control.train;

import dev.fulcrum.control.algo.Awac;
import dev.fulcrum.control.algo.FamO2O;
import dev.fulcrum.control.algo.Iql;
import dev.fulcrum.control.algo.Sac;
import dev.fulcrum.core.config.ConfigException;
import java.util.Set;

/**
 * Everything that defines an online run ({@code fulcrum control online}) or an offline-to-online run
 * ({@code fulcrum control finetune}). Loaded like {@link TrainConfig} (defaults, file, overrides) and written resolved to
 * the run's {@code config.json}.
 *
 * <p>Steps are counted on one axis across both phases: steps {@code 1..offlineSteps} are gradient steps on the pre-filled
 * replay buffer, steps {@code offlineSteps+1 .. offlineSteps+onlineSteps} are environment steps, each followed by
 * {@code updatesPerStep} gradient steps (none during the first {@code randomSteps} online steps, which act uniformly at
 * random to seed the buffer, nor while the buffer holds fewer than {@code batchSize} rows).
 *
 * @param algo                  sac, iql, awac or famo2o (IQL with FamO2O's balance model; its IQL part reads {@code iql})
 * @param env                   environment id
 * @param dataset               D4RL-layout HDF5 file that pre-fills the replay buffer and fixes the normalisation
 *                              statistics; empty for a purely online run
 * @param seed                  the run's seed: initialisation, minibatches, exploration, resets and evaluation derive from it
 * @param offlineSteps          gradient steps on the dataset before acting (a run with offline steps needs a dataset)
 * @param onlineSteps           environment steps
 * @param randomSteps           uniform random actions (and no updates) for this many first online steps
 * @param updatesPerStep        gradient steps per environment step once updates start
 * @param batchSize             minibatch size
 * @param replayCapacity        replay capacity in transitions, first in first out; 0: dataset rows + online steps (no eviction)
 * @param logEvery              training metrics every this many steps
 * @param evalEvery             evaluation every this many steps (and at the end of each phase)
 * @param evalEpisodes          episodes per evaluation
 * @param checkpointEvery       checkpoint every this many steps (and at the end of each phase)
 * @param keepCheckpoints       how many recent checkpoints to keep
 * @param normaliseObservations standardise observations with the dataset's statistics (fixed for the run; a run without a
 *                              dataset leaves observations unchanged)
 * @param rewardShaping         none, return-range or minus-one; {@code auto}: as offline training with a dataset
 *                              (return-range dense, minus-one sparse), without one none (dense) or minus-one (sparse)
 */
public record OnlineConfig(String algo, String env, String dataset, long seed, long offlineSteps, long onlineSteps,
                           int randomSteps, int updatesPerStep, int batchSize, int replayCapacity, int logEvery, int evalEvery,
                           int evalEpisodes, int checkpointEvery, int keepCheckpoints, boolean normaliseObservations,
                           String rewardShaping, Sac.Config sac, Iql.Config iql, Awac.Config awac,
                           FamO2O.Config famo2o) {
    public static final Set<String> ALGORITHMS = Set.of("sac", "iql", "awac", "famo2o");

    /** Online learning from scratch: SAC, 100k environment steps, the first 5,000 uniformly random. */
    public static OnlineConfig defaults() {
        return new OnlineConfig("sac", "pendulum", "", 0, 0, 100_000, 5000, 1, 256, 0, 1000, 5000, 10, 10_000, 2, true, "auto",
                Sac.Config.defaults(), Iql.Config.defaults(), Awac.Config.defaults(),
                FamO2O.Config.defaults());
    }

    /** Offline-to-online fine-tuning: IQL, 100k offline then 100k online steps, no random warm-up (the policy is trained). */
    public static OnlineConfig finetuneDefaults() {
        OnlineConfig d = defaults();
        return new OnlineConfig("iql", d.env, d.dataset, d.seed, 100_000, 100_000, 0, d.updatesPerStep, d.batchSize,
                d.replayCapacity, d.logEvery, d.evalEvery, d.evalEpisodes, d.checkpointEvery, d.keepCheckpoints,
                d.normaliseObservations, d.rewardShaping, d.sac, d.iql, d.awac, d.famo2o);
    }

    public OnlineConfig {
        if (algo == null || !ALGORITHMS.contains(algo)) {
            throw new ConfigException("algo", "must be one of " + ALGORITHMS + " for online training, got '" + algo + "'");
        }
        if (offlineSteps < 0) {
            throw new ConfigException("offlineSteps", "must not be negative, got " + offlineSteps);
        }
        if (onlineSteps < 0) {
            throw new ConfigException("onlineSteps", "must not be negative, got " + onlineSteps);
        }
        if (offlineSteps + onlineSteps <= 0) {
            throw new ConfigException("onlineSteps", "a run needs some steps: offlineSteps + onlineSteps is 0");
        }
        if (randomSteps < 0) {
            throw new ConfigException("randomSteps", "must not be negative, got " + randomSteps);
        }
        if (replayCapacity < 0) {
            throw new ConfigException("replayCapacity", "must not be negative (0: keep everything), got " + replayCapacity);
        }
        positive("updatesPerStep", updatesPerStep);
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

    public boolean hasDataset() {
        return dataset != null && !dataset.isBlank();
    }

    /** All steps of the run, offline and online: the last step number. */
    public long totalSteps() {
        return offlineSteps + onlineSteps;
    }

    /** The most gradient steps the run can take (fewer with random warm-up steps). */
    public long gradientSteps() {
        return Math.max(1, offlineSteps + onlineSteps * updatesPerStep);
    }
}
