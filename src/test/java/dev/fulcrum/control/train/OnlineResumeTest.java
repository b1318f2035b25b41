package dev.fulcrum.control.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kill an online or offline-to-online run between checkpoints, resume it, and get exactly what an uninterrupted run
 * gets: the same metrics file (training, evaluations, episode returns) and bit-identical final weights, optimiser
 * moments, RNG states and replay buffer. The interruptions fall mid-episode (so resuming must rebuild the environment's
 * state), in the offline phase, and with a replay buffer small enough to have evicted dataset rows.
 */
class OnlineResumeTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}: {1} offline + {2} online steps, stopped after {5}")
    @CsvSource({
            // algo, offline, online, checkpointEvery, replayCapacity, stopAfter
            "sac,  0,   500, 150, 0,    370",   // resumes from step 300: online step 300 is mid-episode
            "iql,  100, 400, 130, 0,    300",   // resumes from 260: online step 160, mid-episode
            "awac, 100, 400, 130, 1100, 450",   // resumes from 390 with dataset rows already evicted
            "iql,  100, 200, 40,  0,    90",    // resumes from 80, in the offline phase
            "famo2o, 60, 200, 80, 0,    230",   // resumes from 160: online (balance-model coefficients), mid-episode
    })
    void interruptedAndResumedEqualsUninterrupted(String algo, long offline, long online, int checkpointEvery, int capacity,
                                                  long stopAfter) throws Exception {
        List<String> settings = new ArrayList<>(List.of("algo=" + algo, "env=pendulum", "offlineSteps=" + offline,
                "onlineSteps=" + online, "randomSteps=" + (offline > 0 ? 0 : 100), "batchSize=32", "logEvery=10",
                "evalEvery=250", "evalEpisodes=1", "checkpointEvery=" + checkpointEvery, "keepCheckpoints=10",
                "replayCapacity=" + capacity, (algo.equals("famo2o") ? "iql" : algo) + ".hiddenSize=16", "seed=3"));
        if (offline > 0) {
            Path data = dir.resolve("d.hdf5");
            D4rlHdf5.write(Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "medium"), 1000,
                    new Rng(5), Map.of()), data);
            settings.add("dataset=" + data);
        }
        OnlineConfig cfg = ConfigLoader.load(OnlineConfig.class, OnlineConfig.defaults(), null, settings);

        Path whole = dir.resolve("whole");
        new OnlineTrainer(cfg, whole).fit();

        Path broken = dir.resolve("broken");
        OnlineTrainer.Result partial = new OnlineTrainer(cfg, broken).stopAfter(stopAfter).fit();
        assertEquals(stopAfter, partial.stepsDone());
        assertTrue(Files.notExists(broken.resolve("summary.json")), "an interrupted run has no summary");
        new OnlineTrainer(cfg, broken).resume(true).fit();

        assertEquals(Files.readString(whole.resolve("metrics.jsonl")), Files.readString(broken.resolve("metrics.jsonl")));
        Path a = RunDirectory.open(whole).latestCheckpoint().orElseThrow();
        Path b = RunDirectory.open(broken).latestCheckpoint().orElseThrow();
        assertEquals(a.getFileName(), b.getFileName());
        Safetensors.Contents ca = Safetensors.read(a), cb = Safetensors.read(b);
        assertEquals(ca.metadata(), cb.metadata());
        assertEquals(ca.tensors().keySet(), cb.tensors().keySet());
        assertTrue(ca.tensors().containsKey("replay.observations"), "the checkpoint holds the replay rows");
        for (String k : ca.tensors().keySet()) {
            assertArrayEquals(ca.tensors().get(k).data(), cb.tensors().get(k).data(), k);
        }
    }
}
