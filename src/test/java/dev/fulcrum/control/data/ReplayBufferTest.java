package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay buffer semantics: terminals versus timeouts, FIFO capacity, pre-filling, sampling and checkpoint round trips. */
class ReplayBufferTest {
    private static final Preprocessor IDENTITY = new Preprocessor(new float[] {0, 0}, new float[] {1, 1}, 1f, 1, 0);

    @TempDir
    Path dir;

    /** Row i: observation (i, -i), action (i / 100), reward i, next observation (i + 1, -i - 1). */
    private static void addRow(ReplayBuffer b, int i, boolean terminal, boolean timeout) {
        b.add(new float[] {i, -i}, new float[] {i / 100f}, i, new float[] {i + 1, -i - 1}, terminal, timeout);
    }

    /** The rewards (= row numbers) of many minibatch draws, and checks of each row's other fields. */
    private static Set<Integer> sampledRows(ReplayBuffer b, Rng rng, Map<Integer, Float> dones) {
        Set<Integer> rows = new HashSet<>();
        try (NDManager m = Torch.newManager()) {
            Batch batch = b.sample(rng, 500, IDENTITY, m, DataType.FLOAT32);
            float[] r = batch.rewards().toFloatArray(), d = batch.dones().toFloatArray(), o = batch.observations().toFloatArray();
            float[] next = batch.nextObservations().toFloatArray(), a = batch.actions().toFloatArray();
            for (int k = 0; k < r.length; k++) {
                int i = (int) r[k];
                rows.add(i);
                assertEquals(i, o[2 * k]);
                assertEquals(i + 1, next[2 * k]);
                assertEquals(i / 100f, a[k]);
                dones.put(i, d[k]);
            }
        }
        return rows;
    }

    @Test
    void onlyTerminalsStopBootstrapping() {
        ReplayBuffer b = new ReplayBuffer(2, 1, 10);
        addRow(b, 0, false, false);
        addRow(b, 1, true, false);   // true end of an episode
        addRow(b, 2, false, false);
        addRow(b, 3, false, true);   // time-limit cut: the value target still bootstraps
        Map<Integer, Float> dones = new LinkedHashMap<>();
        assertEquals(Set.of(0, 1, 2, 3), sampledRows(b, new Rng(1), dones));
        assertEquals(Map.of(0, 0f, 1, 1f, 2, 0f, 3, 0f), dones);
        OfflineDataset rows = b.rows(0, 4, Map.of());
        assertArrayEquals(new boolean[] {false, true, false, false}, rows.terminals());
        assertArrayEquals(new boolean[] {false, false, false, true}, rows.timeouts());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> addRow(b, 4, true, true));
        assertTrue(both.getMessage().contains("row 4"), both.getMessage());
    }

    @Test
    void aFullBufferDropsItsOldestRows() {
        ReplayBuffer b = new ReplayBuffer(2, 1, 4);
        for (int i = 0; i < 6; i++) {
            addRow(b, i, false, false);
        }
        assertEquals(4, b.size());
        assertEquals(6, b.added());
        assertEquals(2, b.oldest());
        assertArrayEquals(new float[] {2, 3, 4, 5}, b.rows(2, 6, Map.of()).rewards());
        assertThrows(IllegalArgumentException.class, () -> b.rows(1, 6, Map.of()));
        assertEquals(Set.of(2, 3, 4, 5), sampledRows(b, new Rng(2), new LinkedHashMap<>()));
    }

    @Test
    void aSliceEndingInsideAnEpisodeEndsWithATimeout() {
        ReplayBuffer b = new ReplayBuffer(2, 1, 10);
        for (int i = 0; i < 5; i++) {
            addRow(b, i, false, false);
        }
        OfflineDataset head = b.rows(0, 3, Map.of("tier", "test"));
        assertArrayEquals(new boolean[] {false, false, true}, head.timeouts());
        assertEquals("test", head.metadata().get("tier"));
    }

    @Test
    void preFillingAppendsTheDatasetInOrder() {
        OfflineDataset data = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "medium"),
                250, new Rng(3), Map.of());
        ReplayBuffer b = new ReplayBuffer(3, 1, 300);
        b.addAll(data);
        assertEquals(250, b.size());
        OfflineDataset back = b.rows(0, 250, Map.of());
        assertArrayEquals(data.observations(), back.observations());
        assertArrayEquals(data.actions(), back.actions());
        assertArrayEquals(data.rewards(), back.rewards());
        assertArrayEquals(data.nextObservations(), back.nextObservations());
        assertArrayEquals(data.terminals(), back.terminals());
        assertArrayEquals(data.timeouts(), back.timeouts()); // the dataset's last row is already a timeout
        b.add(new float[] {1, 0, 0}, new float[] {0.5f}, -1, new float[] {1, 0, 0}, false, false);
        assertEquals(251, b.added());

        ReplayBuffer small = new ReplayBuffer(3, 1, 100);
        small.addAll(data); // more rows than capacity: the newest 100 stay
        assertEquals(150, small.oldest());
        assertArrayEquals(java.util.Arrays.copyOfRange(data.rewards(), 150, 250), small.rows(150, 250, Map.of()).rewards());
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(4, 1, 10).addAll(data));
    }

    @Test
    void samplingIsUniformWithTheCallersRngAndPreprocessed() {
        ReplayBuffer b = new ReplayBuffer(2, 1, 100);
        for (int i = 0; i < 100; i++) {
            addRow(b, i, false, false);
        }
        Preprocessor pre = new Preprocessor(new float[] {10, 0}, new float[] {2, 4}, 2f, 0.5, -1);
        try (NDManager m = Torch.newManager()) {
            Batch x = b.sample(new Rng(9), 4000, pre, m, DataType.FLOAT32), y = b.sample(new Rng(9), 4000, pre, m, DataType.FLOAT32);
            assertArrayEquals(x.rewards().toFloatArray(), y.rewards().toFloatArray(), "same seed, same minibatch");
            float[] r = x.rewards().toFloatArray(), o = x.observations().toFloatArray(), a = x.actions().toFloatArray();
            int[] counts = new int[100];
            for (int k = 0; k < r.length; k++) {
                int i = (int) Math.round((r[k] + 1) / 0.5); // shaped reward 0.5 i - 1
                counts[i]++;
                assertEquals((i - 10) / 2f, o[2 * k], 1e-6);
                assertEquals(-i / 4f, o[2 * k + 1], 1e-6);
                assertEquals(i / 100f / 2f, a[k], 1e-7);
            }
            for (int c : counts) {
                assertTrue(c > 10 && c < 80, "each of 100 rows drawn about 40 times in 4000, got " + c);
            }
        }
        assertThrows(IllegalStateException.class, () -> {
            try (NDManager m = Torch.newManager()) {
                new ReplayBuffer(2, 1, 5).sample(new Rng(0), 4, IDENTITY, m, DataType.FLOAT32);
            }
        });
    }

    /** Saves rows from {@code from}, round-trips the checkpoint through a file, restores into {@code fresh}. */
    private void roundTrip(ReplayBuffer saved, long from, ReplayBuffer fresh) {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            saved.saveState("replay", from, m, tensors, meta);
            Path file = dir.resolve("c" + System.nanoTime() + ".safetensors");
            new Checkpoint(1, tensors, meta).save(file);
            fresh.restoreState("replay", Checkpoint.load(file, m));
        }
    }

    @Test
    void checkpointsKeepWhatWasAddedAfterTheDataset() {
        OfflineDataset data = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "random"),
                60, new Rng(4), Map.of());
        for (int online : new int[] {0, 30, 70, 200}) { // none, some evicting dataset rows, more than the capacity
            ReplayBuffer b = new ReplayBuffer(3, 1, 80);
            b.addAll(data);
            Rng rng = new Rng(online);
            for (int i = 0; i < online; i++) {
                float[] o = {(float) rng.gaussian(), (float) rng.gaussian(), i};
                b.add(o, new float[] {(float) rng.uniform(-2, 2)}, -i, o, i % 50 == 49, i % 50 == 48);
            }
            ReplayBuffer restored = new ReplayBuffer(3, 1, 80);
            restored.addAll(data);
            roundTrip(b, data.size(), restored);
            assertEquals(b.added(), restored.added());
            assertEquals(b.size(), restored.size());
            try (NDManager m = Torch.newManager()) {
                Preprocessor pre = new Preprocessor(new float[3], new float[] {1, 1, 1}, 2f, 1, 0);
                Batch x = b.sample(new Rng(5), 300, pre, m, DataType.FLOAT32);
                Batch y = restored.sample(new Rng(5), 300, pre, m, DataType.FLOAT32);
                for (var pair : java.util.List.of(new NDArray[] {x.observations(), y.observations()},
                        new NDArray[] {x.actions(), y.actions()}, new NDArray[] {x.rewards(), y.rewards()},
                        new NDArray[] {x.nextObservations(), y.nextObservations()}, new NDArray[] {x.dones(), y.dones()})) {
                    assertArrayEquals(pair[0].toFloatArray(), pair[1].toFloatArray(), "online rows " + online);
                }
            }
            OfflineDataset a = b.rows(b.oldest(), b.added(), Map.of()), c = restored.rows(b.oldest(), b.added(), Map.of());
            assertArrayEquals(a.timeouts(), c.timeouts());
            assertArrayEquals(a.terminals(), c.terminals());
        }
    }

    @Test
    void restoringWithoutTheDatasetFailsClearly() {
        OfflineDataset data = Collector.collect(EnvRegistry.make("pendulum"), BehaviourPolicies.forEnv("pendulum", "random"),
                60, new Rng(4), Map.of());
        ReplayBuffer b = new ReplayBuffer(3, 1, 200);
        b.addAll(data);
        float[] o = {1, 0, 0};
        b.add(o, new float[] {0}, 0, o, false, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> roundTrip(b, data.size(),
                new ReplayBuffer(3, 1, 200)));
        assertTrue(e.getMessage().contains("start at 60"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> roundTrip(b, data.size(), new ReplayBuffer(3, 1, 100)));
        assertFalse(b.size() == 0);
    }
}
