package dev.fulcrum.control.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FamO2O's offline phase ({@code fulcrum control train --algo famo2o}) learns: on Pendulum from a medium-quality dataset,
 * the universal actor acting with the balance model's coefficients scores far above the untrained policy and above the
 * behaviour policy (measured: untrained -5.1, behaviour 48.6, trained 56.2 at seed 1; IQL with beta 3 gets more from
 * the same budget in {@link LearningTest}, FamO2O trains a whole family of coefficients with it).
 */
class FamO2OLearningTest {
    @TempDir
    Path dir;

    @Test
    void offlinePhaseImprovesOnUntrainedAndBehaviour() {
        Env env = EnvRegistry.make("pendulum");
        OfflineDataset d = Collector.collect(env, BehaviourPolicies.forEnv("pendulum", "medium"), 20_000, new Rng(0), Map.of());
        Path data = dir.resolve("pendulum-medium.hdf5");
        D4rlHdf5.write(d, data);
        double behaviour = env.spec().normalisedScore(Stats.mean(d.episodeReturns()));
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null, List.of("algo=famo2o",
                "env=pendulum", "dataset=" + data, "steps=2500", "batchSize=128", "evalEvery=2500", "evalEpisodes=10",
                "checkpointEvery=2500", "logEvery=500", "iql.hiddenSize=64", "seed=1"));
        double untrained = new OfflineTrainer(cfg, dir.resolve("untrained")).evaluateUntrained(10);
        double trained = new OfflineTrainer(cfg, dir.resolve("famo2o")).fit().finalEvaluation().meanScore();
        System.out.printf("famo2o: untrained %.1f, behaviour %.1f, trained %.1f%n", untrained, behaviour, trained);
        assertTrue(trained > untrained + 25, "famo2o trained " + trained + " vs untrained " + untrained);
        assertTrue(trained > behaviour + 5, "famo2o trained " + trained + " vs behaviour " + behaviour);
    }
}
