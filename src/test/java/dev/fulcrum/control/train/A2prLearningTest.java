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
 * A2PR learns: on the Pendulum medium dataset of {@link LearningTest} (behaviour score about 50), a short run beats the
 * untrained policy and the behaviour policy. Networks are narrowed (64 wide, VAE 64-64) to fit CI's budget; the
 * reference-size comparison is {@code fulcrum experiment a2pr}.
 */
class A2prLearningTest {
    @TempDir
    Path dir;

    @Test
    void learnedPolicyImprovesOnUntrainedAndBehaviour() {
        Env env = EnvRegistry.make("pendulum");
        OfflineDataset d = Collector.collect(env, BehaviourPolicies.forEnv("pendulum", "medium"), 20_000, new Rng(0), Map.of());
        Path data = dir.resolve("pendulum-medium.hdf5");
        D4rlHdf5.write(d, data);
        double behaviour = env.spec().normalisedScore(Stats.mean(d.episodeReturns()));
        long steps = 4000;
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null, List.of("algo=a2pr", "env=pendulum",
                "dataset=" + data, "steps=" + steps, "batchSize=128", "evalEvery=" + steps, "evalEpisodes=10",
                "checkpointEvery=" + steps, "logEvery=500", "a2pr.hiddenSize=64", "a2pr.vaeHiddenSize=64", "seed=1"));
        double untrained = new OfflineTrainer(cfg, dir.resolve("untrained")).evaluateUntrained(10);
        double trained = new OfflineTrainer(cfg, dir.resolve("a2pr")).fit().finalEvaluation().meanScore();
        System.out.printf("a2pr: untrained %.1f, behaviour %.1f, trained %.1f%n", untrained, behaviour, trained);
        assertTrue(trained > untrained + 25, "a2pr trained " + trained + " vs untrained " + untrained);
        assertTrue(trained > behaviour + 15, "a2pr trained " + trained + " vs behaviour " + behaviour);
    }
}
