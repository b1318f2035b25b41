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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kill a run between checkpoints, resume it, and get exactly what an uninterrupted run gets: the same metrics file
 * (including evaluations) and bit-identical final weights, optimiser moments and RNG states.
 */
class ResumeTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"iql", "td3bc", "bc", "a2pr"})
    void interruptedAndResumedEqualsUninterrupted(String algo) throws Exception {
        Path data = dir.resolve("d.hdf5");
        D4rlHdf5.write(Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "medium"), 1000,
                new Rng(5), Map.of()), data);
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null, List.of("algo=" + algo,
                "env=pendulum", "dataset=" + data, "steps=60", "batchSize=32", "logEvery=5", "evalEvery=30", "evalEpisodes=2",
                "checkpointEvery=20", "keepCheckpoints=10", algo + ".hiddenSize=16"));

        Path whole = dir.resolve("whole");
        new OfflineTrainer(cfg, whole).fit();

        Path broken = dir.resolve("broken");
        OfflineTrainer.Result partial = new OfflineTrainer(cfg, broken).stopAfter(50).fit(); // dies after step 50
        assertEquals(50, partial.stepsDone());
        assertTrue(Files.notExists(broken.resolve("summary.json")), "an interrupted run has no summary");
        new OfflineTrainer(cfg, broken).resume(true).fit(); // continues from the step-40 checkpoint

        assertEquals(Files.readString(whole.resolve("metrics.jsonl")), Files.readString(broken.resolve("metrics.jsonl")));
        Path a = RunDirectory.open(whole).latestCheckpoint().orElseThrow();
        Path b = RunDirectory.open(broken).latestCheckpoint().orElseThrow();
        assertEquals(a.getFileName(), b.getFileName());
        Safetensors.Contents ca = Safetensors.read(a), cb = Safetensors.read(b);
        assertEquals(ca.metadata(), cb.metadata());
        assertEquals(ca.tensors().keySet(), cb.tensors().keySet());
        for (String k : ca.tensors().keySet()) {
            assertArrayEquals(ca.tensors().get(k).data(), cb.tensors().get(k).data(), k);
        }
    }
}
