package dev.fulcrum.control.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.eval.Evaluation;
import dev.fulcrum.control.policy.UniformRandomPolicy;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.rng.Rng;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAC learns Pendulum from scratch in a short online run: the learned policy's normalised score rises far above the
 * uniform-random policy's (0 by definition). Small networks and learning rates of 1e-3 (RL Zoo's Pendulum setting)
 * keep it inside CI's budget (4,000 updates; measured scores 102, 98 and 99 for seeds 1-3);
 * docs/results/online-pendulum.md has the full-size run.
 */
class OnlineLearningTest {
    @TempDir
    Path dir;

    @Test
    void sacLearnsPendulumOnline() {
        OnlineConfig cfg = ConfigLoader.load(OnlineConfig.class, OnlineConfig.defaults(), null, List.of("algo=sac",
                "env=pendulum", "onlineSteps=5000", "randomSteps=1000", "batchSize=128", "sac.hiddenSize=64",
                "sac.actorLr=1e-3", "sac.criticLr=1e-3", "sac.alphaLr=1e-3", "evalEvery=5000", "evalEpisodes=10",
                "checkpointEvery=5000", "logEvery=500", "seed=1"));
        Env env = EnvRegistry.make("pendulum");
        double random = Evaluation.run(env, new UniformRandomPolicy(env.spec()), 10, new Rng(7)).meanScore();
        long t0 = System.nanoTime();
        OnlineTrainer.Result r = new OnlineTrainer(cfg, dir.resolve("sac")).fit();
        double trained = r.finalEvaluation().meanScore();
        System.out.printf("sac online: random %.1f, trained %.1f (%.1f s)%n", random, trained, (System.nanoTime() - t0) / 1e9);
        assertTrue(trained > random + 50, "SAC trained " + trained + " vs random " + random);
    }
}
