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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training improves the measured quantity that matters: the normalised score of the learned policy on Pendulum, from a
 * medium-quality dataset (behaviour score about 50). Small networks and short runs keep this inside CI's budget; the
 * full-size comparison across seeds is the offline-baselines experiment.
 */
class LearningTest {
    @TempDir
    static Path dir;
    static Path data;
    static double behaviourScore;

    @BeforeAll
    static void collect() {
        Env env = EnvRegistry.make("pendulum");
        OfflineDataset d = Collector.collect(env, BehaviourPolicies.forEnv("pendulum", "medium"), 20_000, new Rng(0), Map.of());
        data = dir.resolve("pendulum-medium.hdf5");
        D4rlHdf5.write(d, data);
        behaviourScore = env.spec().normalisedScore(Stats.mean(d.episodeReturns()));
    }

    @ParameterizedTest
    @CsvSource({"bc, 2000, 15", "iql, 2500, 25", "td3bc, 5000, 25"})
    void learnedPolicyImprovesOnUntrainedAndBehaviour(String algo, long steps, double margin) {
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null, List.of("algo=" + algo,
                "env=pendulum", "dataset=" + data, "steps=" + steps, "batchSize=128", "evalEvery=" + steps, "evalEpisodes=10",
                "checkpointEvery=" + steps, "logEvery=500", algo + ".hiddenSize=64", "seed=1"));
        double untrained = new OfflineTrainer(cfg, dir.resolve(algo + "-untrained")).evaluateUntrained(10);
        double trained = new OfflineTrainer(cfg, dir.resolve(algo)).fit().finalEvaluation().meanScore();
        System.out.printf("%s: untrained %.1f, behaviour %.1f, trained %.1f%n", algo, untrained, behaviourScore, trained);
        assertTrue(trained > untrained + margin, algo + " trained " + trained + " vs untrained " + untrained);
        if (!algo.equals("bc")) {
            assertTrue(trained > behaviourScore + 15, algo + " trained " + trained + " vs behaviour " + behaviourScore);
        }
    }
}
