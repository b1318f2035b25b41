package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.cli.FulcrumCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Minari layout: round trips both ways, target naming, refusals, and {@code fulcrum control convert}. */
class MinariHdf5Test {
    @TempDir
    Path dir;

    /**
     * A dataset whose episodes chain up (next_observations[i] = observations[i+1] within an episode), as collected data
     * does: episodes of 1 to 9 steps ending in a terminal, a timeout or both, and a trailing unfinished episode.
     */
    static OfflineDataset episodic(int n, int s, int a, long seed, Map<String, String> metadata) {
        Random r = new Random(seed);
        float[] obs = new float[n * s], next = new float[n * s], act = new float[n * a], rew = new float[n];
        boolean[] term = new boolean[n], tout = new boolean[n];
        float[] current = gaussian(r, s);
        int left = 1 + r.nextInt(9);
        for (int i = 0; i < n; i++) {
            System.arraycopy(current, 0, obs, i * s, s);
            float[] after = gaussian(r, s);
            System.arraycopy(after, 0, next, i * s, s);
            for (int j = 0; j < a; j++) {
                act[i * a + j] = (float) (2 * r.nextDouble() - 1);
            }
            rew[i] = (float) r.nextGaussian();
            boolean end = --left == 0 && i < n - 1;
            if (end) {
                int kind = r.nextInt(3);
                term[i] = kind != 1;
                tout[i] = kind != 0;
                current = gaussian(r, s);
                left = 1 + r.nextInt(9);
            } else {
                current = after;
            }
        }
        return new OfflineDataset(s, a, obs, act, rew, next, term, tout, metadata);
    }

    private static float[] gaussian(Random r, int s) {
        float[] v = new float[s];
        for (int i = 0; i < s; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void oursToMinariAndBack() throws IOException {
        OfflineDataset d = episodic(300, 3, 2, 1, Map.of("env", "pendulum", "quality", "medium", "unicode", "héllo ✓"));
        Path target = dir.resolve("pendulum-medium");
        Path main = MinariHdf5.write(d, target);
        assertEquals(target.resolve("data").resolve(MinariHdf5.MAIN_FILE), main);
        assertTrue(Files.isRegularFile(target.resolve("data").resolve(MinariHdf5.METADATA_FILE)));
        assertEquals(DatasetFormat.MINARI, DatasetFormat.detect(target));
        assertEquals(DatasetFormat.MINARI, DatasetFormat.detect(main));

        OfflineDataset back = MinariHdf5.read(target);
        assertSameArrays(d, back);
        Map<String, String> expected = new TreeMap<>(d.metadata());
        expected.put("total_episodes", Integer.toString(d.episodeCount()));
        expected.put("total_steps", "300");
        expected.put("data_format", "hdf5");
        expected.put("observation_space", MinariHdf5.unboundedBox(3));
        expected.put("action_space", MinariHdf5.unboundedBox(2));
        expected.put("dataset_id", "fulcrum/pendulum-v0");
        expected.put("minari_version", MinariHdf5.DEFAULT_MINARI_VERSION);
        assertEquals(expected, new TreeMap<>(back.metadata()));
        assertEquals(d.episodeCount(), back.episodeCount());
    }

    @Test
    void minariToOursAndBack() {
        Path fixture = MinariHdf5FixturesTest.fixture("v05");
        OfflineDataset first = MinariHdf5.read(fixture);
        Path again = dir.resolve("again");
        MinariHdf5.write(first, again);
        OfflineDataset second = MinariHdf5.read(again);
        assertSameArrays(first, second);
        Map<String, String> kept = new TreeMap<>(first.metadata()), keptAgain = new TreeMap<>(second.metadata());
        MinariHdf5.GENERATED_KEYS.forEach(k -> {
            kept.remove(k);
            keptAgain.remove(k);
        });
        assertEquals(kept, keptAgain, "metadata other than the generated keys survives");
        assertEquals("fulcrum-test/tiny-v0", second.metadata().get("dataset_id"), "dataset_id is kept");
        assertEquals("0.5.1", second.metadata().get("minari_version"), "minari_version is kept");
        assertEquals("3", second.metadata().get("total_episodes"));

        // and through the D4RL layout: the flat table is the same
        Path d4rl = dir.resolve("flat.hdf5");
        D4rlHdf5.write(first, d4rl);
        OfflineDataset viaD4rl = D4rlHdf5.read(d4rl);
        assertSameArrays(first, viaD4rl);
        assertEquals(new TreeMap<>(first.metadata()), new TreeMap<>(viaD4rl.metadata()));
    }

    @Test
    void fileTargetsAndFormatChoice() {
        OfflineDataset d = episodic(40, 2, 1, 2, Map.of());
        Path plain = dir.resolve("plain.hdf5");
        assertEquals(plain, MinariHdf5.write(d, plain));
        assertFalse(Files.exists(dir.resolve(MinariHdf5.METADATA_FILE)), "an arbitrary .hdf5 name gets no metadata.json");
        assertEquals(DatasetFormat.MINARI, DatasetFormat.detect(plain), "detected from the content");
        assertSameArrays(d, MinariHdf5.read(plain));

        Path sub = dir.resolve("sub").resolve(MinariHdf5.MAIN_FILE);
        MinariHdf5.write(d, sub);
        assertTrue(Files.isRegularFile(sub.resolveSibling(MinariHdf5.METADATA_FILE)), "main_data.hdf5 gets metadata.json");
        assertEquals("fulcrum/dataset-v0", MinariHdf5.read(sub).metadata().get("dataset_id"));

        assertEquals(DatasetFormat.MINARI, DatasetFormat.forTarget(Path.of("out/dir")));
        assertEquals(DatasetFormat.MINARI, DatasetFormat.forTarget(Path.of("out/main_data.hdf5")));
        assertEquals(DatasetFormat.D4RL, DatasetFormat.forTarget(Path.of("out/x.hdf5")));
        assertEquals(DatasetFormat.D4RL, DatasetFormat.forTarget(Path.of("out/x.H5")));
        assertEquals(DatasetFormat.D4RL, DatasetFormat.detect(D4rlHdf5FixturesTest.fixture("gzip_bool_next.hdf5")));
    }

    @Test
    void refusesTablesWhoseEpisodesDoNotChain() throws IOException {
        OfflineDataset good = episodic(30, 2, 1, 3, Map.of());
        int row = -1;
        for (int i = 0; i < good.size() - 1 && row < 0; i++) {
            row = good.terminals()[i] || good.timeouts()[i] ? -1 : i;
        }
        float[] next = good.nextObservations().clone();
        next[row * 2] += 1;
        OfflineDataset broken = new OfflineDataset(2, 1, good.observations(), good.actions(), good.rewards(), next,
                good.terminals(), good.timeouts(), Map.of());
        Path target = dir.resolve("broken");
        String msg = assertThrows(DatasetException.class, () -> MinariHdf5.write(broken, target)).getMessage();
        assertTrue(msg.contains("row " + row + "'s next_observations differ from row " + (row + 1) + "'s observations"), msg);
        assertTrue(msg.contains(target.toString()), msg);
        assertFalse(Files.exists(target.resolve("data").resolve(MinariHdf5.MAIN_FILE)), "nothing written");
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(1, files.count(), "no temporary files left");
        }
    }

    @Test
    void clearErrorsForWhatIsNotMinariData() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        String msg = assertThrows(DatasetException.class, () -> MinariHdf5.read(empty)).getMessage();
        assertTrue(msg.contains("no Minari data in directory " + empty), msg);
        Path d4rl = D4rlHdf5FixturesTest.fixture("gzip_bool_next.hdf5");
        msg = assertThrows(DatasetException.class, () -> MinariHdf5.read(d4rl)).getMessage();
        assertTrue(msg.startsWith(d4rl + ": no episode groups (episode_0, episode_1, ...) in the root group (found: actions, "
                + "metadata, next_observations, observations, rewards, terminals, timeouts)"), msg);
        msg = assertThrows(DatasetException.class, () -> MinariHdf5.read(dir.resolve("nope.hdf5"))).getMessage();
        assertTrue(msg.contains("dataset file not found"), msg);
    }

    @Test
    void convertCommandBothWays() {
        Path fixture = MinariHdf5FixturesTest.fixture("v05");
        Path flat = dir.resolve("flat.hdf5");
        String[] out = cli("control", "convert", "--in", fixture.toString(), "--out", flat.toString());
        assertEquals("0", out[0], out[2]);
        assertTrue(out[1].contains("(minari) to " + flat + " (d4rl): 12 transitions, 3 episodes"), out[1]);
        OfflineDataset original = MinariHdf5.read(fixture);
        assertSameArrays(original, D4rlHdf5.read(flat));

        Path minariDir = dir.resolve("minari-again");
        out = cli("control", "convert", "--in", flat.toString(), "--out", minariDir.toString());
        assertEquals("0", out[0], out[2]);
        assertTrue(out[1].contains("(d4rl) to " + minariDir.resolve("data").resolve(MinariHdf5.MAIN_FILE) + " (minari)"), out[1]);
        assertSameArrays(original, MinariHdf5.read(minariDir));

        Path forced = dir.resolve("forced.hdf5");
        out = cli("control", "convert", "--in", flat.toString(), "--out", forced.toString(), "--to", "minari");
        assertEquals("0", out[0], out[2]);
        assertEquals(DatasetFormat.MINARI, DatasetFormat.detect(forced));

        out = cli("control", "convert", "--in", flat.toString(), "--out", forced.toString(), "--to", "parquet");
        assertEquals("2", out[0]);
        assertTrue(out[2].contains("unknown dataset format 'parquet': expected d4rl or minari"), out[2]);
        assertEquals(1, out[2].strip().lines().count(), out[2]);

        out = cli("control", "convert", "--in", MinariHdf5FixturesTest.fixture("episode_gap.hdf5").toString(), "--out",
                dir.resolve("x.hdf5").toString());
        assertEquals("2", out[0]);
        assertTrue(out[2].contains("'episode_1' is missing"), out[2]);
        assertEquals(1, out[2].strip().lines().count(), out[2]);

        out = cli("control", "convert", "--help");
        assertEquals("0", out[0]);
        assertTrue(out[1].contains("Usage:"), out[1]);
    }

    /** {exit code, stdout, stderr}. */
    static String[] cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = FulcrumCli.execute(args);
            return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static void assertSameArrays(OfflineDataset expected, OfflineDataset actual) {
        assertEquals(expected.observationDim(), actual.observationDim());
        assertEquals(expected.actionDim(), actual.actionDim());
        assertArrayEquals(expected.observations(), actual.observations());
        assertArrayEquals(expected.actions(), actual.actions());
        assertArrayEquals(expected.rewards(), actual.rewards());
        assertArrayEquals(expected.nextObservations(), actual.nextObservations());
        assertArrayEquals(expected.terminals(), actual.terminals());
        assertArrayEquals(expected.timeouts(), actual.timeouts());
    }
}
