package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, the written layout, reading variants written with jhdf, error messages, and atomic writes. */
class D4rlHdf5Test {
    @TempDir
    Path dir;

    // ---- round trip and written layout ----

    @Test
    void roundTripIsExact() {
        OfflineDataset d = synthetic(1000, 5, 2, 1, Map.of("quality", "medium", "seed", "1", "unicode", "héllo ✓ π",
                "empty", "", "policy/nonlinearity", "relu", "long", "x".repeat(2000)));
        Path f = dir.resolve("d.hdf5");
        D4rlHdf5.write(d, f);
        assertSameDataset(d, D4rlHdf5.read(f));
    }

    @Test
    void roundTripOfOneRowAndOfExtremeValues() {
        float[] specials = {-0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL / 3, Float.MAX_VALUE,
                -Float.MAX_VALUE, 1e-38f, 0.1f};
        OfflineDataset one = new OfflineDataset(8, 1, specials, new float[] {-Float.MAX_VALUE}, new float[] {Float.MIN_VALUE},
                specials.clone(), new boolean[] {true}, new boolean[] {true}, Map.of());
        Path f = dir.resolve("one.hdf5");
        D4rlHdf5.write(one, f);
        OfflineDataset back = D4rlHdf5.read(f);
        assertSameDataset(one, back);
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(back.observations()[0]), "sign of zero kept");
    }

    @Test
    void writtenLayoutIsD4rlWithCompressedFloat32AndUint8Flags() throws Exception {
        OfflineDataset d = synthetic(300, 3, 2, 2, Map.of("env", "pendulum"));
        Path f = dir.resolve("layout.hdf5");
        D4rlHdf5.write(d, f);
        try (HdfFile hdf = new HdfFile(f)) {
            assertEquals(Set.of("observations", "actions", "rewards", "next_observations", "terminals", "timeouts", "metadata"),
                    hdf.getChildren().keySet());
            assertEquals(Set.of("_jHDF"), hdf.getAttributes().keySet(), "metadata lives on the metadata group only");
            Map<String, int[]> shapes = Map.of("observations", new int[] {300, 3}, "actions", new int[] {300, 2},
                    "rewards", new int[] {300}, "next_observations", new int[] {300, 3}, "terminals", new int[] {300},
                    "timeouts", new int[] {300});
            for (var e : shapes.entrySet()) {
                Dataset ds = hdf.getDatasetByPath(e.getKey());
                assertArrayEquals(e.getValue(), ds.getDimensions(), e.getKey());
                String filters = ds.getFilters().toString();
                assertTrue(filters.contains("deflate"), e.getKey() + " " + filters);
                boolean flag = Set.of("terminals", "timeouts").contains(e.getKey());
                assertEquals(flag ? int.class : float.class, ds.getJavaType(), e.getKey()); // uint8 reads as int in jhdf
                assertEquals(flag ? 1 : 4, ds.getDataType().getSize(), e.getKey());
                assertEquals(!flag, filters.contains("shuffle"), e.getKey() + " " + filters);
            }
            Group meta = (Group) hdf.getChildren().get("metadata");
            assertEquals("pendulum", meta.getAttribute("env").getData());
        }
    }

    @Test
    void writingIsDeterministicAndReplacesAnExistingFile() throws Exception {
        Path f = dir.resolve("d.hdf5");
        Files.writeString(f, "old content");
        OfflineDataset d = synthetic(200, 3, 1, 3, Map.of("b", "2", "a", "1"));
        D4rlHdf5.write(d, f);
        byte[] first = Files.readAllBytes(f);
        D4rlHdf5.write(d, f);
        assertArrayEquals(first, Files.readAllBytes(f));
        assertSameDataset(d, D4rlHdf5.read(f));
        assertEquals(List.of(f), listDir(dir));
    }

    // ---- reading what other writers produce (crafted with jhdf; h5py's files are in D4rlHdf5FixturesTest) ----

    @Test
    void readsFloat64ColumnRewardsIntegerFlagsAndMissingTimeouts() {
        Path f = craft("variants.hdf5", h -> {
            h.putDataset("observations", new double[][] {{0.1, 1}, {0.2, 2}, {0.3, 3}});
            h.putDataset("actions", new double[] {-1, 0, 1}); // (N,) taken as one column
            h.putDataset("rewards", new double[][] {{1.5}, {2.5}, {3.5}});
            h.putDataset("next_observations", new float[][] {{9, 9}, {8, 8}, {7, 7}});
            h.putDataset("terminals", new byte[] {0, 0, 1});
            h.putAttribute("creator", "test");
        });
        OfflineDataset d = D4rlHdf5.read(f);
        assertEquals(2, d.observationDim());
        assertEquals(1, d.actionDim());
        assertArrayEquals(new float[] {0.1f, 1, 0.2f, 2, 0.3f, 3}, d.observations());
        assertArrayEquals(new float[] {-1, 0, 1}, d.actions());
        assertArrayEquals(new float[] {1.5f, 2.5f, 3.5f}, d.rewards());
        assertArrayEquals(new float[] {9, 9, 8, 8, 7, 7}, d.nextObservations());
        assertArrayEquals(new boolean[] {false, false, true}, d.terminals());
        assertArrayEquals(new boolean[3], d.timeouts(), "absent timeouts are all false");
        assertEquals(Map.of("creator", "test"), d.metadata());
    }

    @Test
    void readsFlagsStoredAsBitfieldIntegersOrFloats() {
        boolean[] expected = {true, false, false, true};
        List<Object> encodings = List.of(expected.clone(), new int[] {1, 0, 0, 1}, new long[] {1, 0, 0, 1},
                new float[] {1, 0, 0, 1}, new double[][] {{1}, {0}, {0}, {1}});
        for (int k = 0; k < encodings.size(); k++) {
            Object enc = encodings.get(k);
            Path f = craft("flags" + k + ".hdf5", h -> {
                putMinimal(h, 4, 1, Map.of("terminals", enc, "timeouts", enc, "next_observations", new float[4][1]));
            });
            OfflineDataset d = D4rlHdf5.read(f);
            assertArrayEquals(expected, d.terminals(), enc.getClass().getSimpleName());
            assertArrayEquals(expected, d.timeouts(), enc.getClass().getSimpleName());
        }
    }

    /** obs[i] = {i}; checks next_observations rebuilt per the documented rule. */
    @Test
    void rebuildsNextObservationsDroppingRowsWithUnknownSuccessors() {
        //              row: 0      1      2     3      4      5     6      7
        boolean[] terminals = {false, false, true, false, true, false, false, false};
        boolean[] timeouts = {false, true, false, false, true, false, false, false};
        // row 1: timeout, dropped; row 4: terminal and timeout, kept; row 7: last and not terminal, dropped
        Path f = craft("rebuild.hdf5", h -> putMinimal(h, 8, 1, Map.of("terminals", terminals, "timeouts", timeouts)));
        OfflineDataset d = D4rlHdf5.read(f);
        assertArrayEquals(new float[] {0, 2, 3, 4, 5, 6}, d.observations());
        assertArrayEquals(new float[] {0, 2, 3, 4, 5, 6}, d.rewards());
        assertArrayEquals(new float[] {1, 2, 4, 4, 6, 7}, d.nextObservations(), "terminal rows point at themselves");
        assertArrayEquals(new boolean[] {false, true, false, true, false, false}, d.terminals());
        assertArrayEquals(new boolean[] {true, false, false, false, false, true}, d.timeouts(),
                "the last kept row before a dropped one closes its episode");
        assertEquals(D4rlHdf5.RECONSTRUCTED, d.metadata().get(D4rlHdf5.META_NEXT_OBSERVATIONS));
        assertEquals("2", d.metadata().get(D4rlHdf5.META_ROWS_DROPPED));
        assertEquals(4, d.episodeCount(), "[0] cut, [2] terminal, [3 4] terminal, [5 6] cut");
    }

    @Test
    void aFinalTerminalRowIsKept() {
        Path f = craft("final.hdf5", h -> putMinimal(h, 3, 2,
                Map.of("terminals", new boolean[] {false, false, true})));
        OfflineDataset d = D4rlHdf5.read(f);
        assertEquals(3, d.size());
        assertArrayEquals(new float[] {1, 1, 2, 2, 2, 2}, d.nextObservations());
        assertEquals("0", d.metadata().get(D4rlHdf5.META_ROWS_DROPPED));
    }

    // ---- errors ----

    @Test
    void missingFileDirectoryAndNonHdf5() throws Exception {
        Path none = dir.resolve("none.hdf5");
        assertEquals("dataset file not found: " + none, assertThrows(DatasetException.class, () -> D4rlHdf5.read(none)).getMessage());
        assertMessage(dir, "dataset path is not a regular file");
        Path text = dir.resolve("text.hdf5");
        Files.writeString(text, "observations,actions\n1,2\n".repeat(100));
        assertMessage(text, "not an HDF5 file");
        Path empty = dir.resolve("zero-bytes.hdf5");
        Files.createFile(empty);
        assertMessage(empty, "not an HDF5 file");
    }

    @Test
    void truncatedHdf5File() throws Exception {
        Path f = dir.resolve("truncated.hdf5");
        D4rlHdf5.write(synthetic(500, 4, 2, 5, Map.of()), f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        assertMessage(f, f.getFileName().toString()); // any one-line DatasetException naming the file
    }

    @Test
    void missingRequiredDatasetListsWhatWasFound() {
        Path f = craft("no-terminals.hdf5", h -> {
            h.putDataset("observations", new float[][] {{1}});
            h.putDataset("actions", new float[][] {{1}});
            h.putDataset("rewards", new float[] {1});
            h.putGroup("infos").putDataset("qpos", new float[] {1}); // jhdf 0.13 cannot write an empty group here
        });
        assertMessage(f, "required dataset 'terminals' is missing (found: actions, infos, observations, rewards)");
    }

    @Test
    void shapeProblems() {
        assertMessage(craft("group.hdf5", h -> {
            putMinimal(h, 2, 1, Map.of());
            h.putGroup("next_observations").putDataset("x", new float[] {1});
        }), "'next_observations' is a group, expected a dataset");
        assertMessage(craft("rank3.hdf5", h -> putMinimal(h, 2, 1, Map.of("observations", new float[2][2][2]))),
                "'observations' must have shape (N, D), found (2, 2, 2)");
        assertMessage(craft("rewards2.hdf5", h -> putMinimal(h, 2, 1, Map.of("rewards", new float[2][2]))),
                "'rewards' must have shape (N,) or (N, 1), found (2, 2)");
        assertMessage(craft("next-width.hdf5", h -> putMinimal(h, 2, 1, Map.of("next_observations", new float[2][3]))),
                "'next_observations' has 3 columns but 'observations' has 1");
        assertMessage(craft("timeouts-rows.hdf5", h -> putMinimal(h, 3, 1, Map.of("timeouts", new boolean[2]))),
                "'timeouts' has 2 rows but 'observations' has 3");
    }

    @Test
    void valueProblemsNameFieldRowAndColumn() {
        float[][] inf = {{0, 0}, {0, 0}, {0, Float.POSITIVE_INFINITY}};
        assertMessage(craft("inf.hdf5", h -> putMinimal(h, 3, 1, Map.of("observations", inf))),
                "'observations' row 2 column 1 is Infinity (values must be finite)");
        assertMessage(craft("nan-next.hdf5", h -> putMinimal(h, 3, 1, Map.of("next_observations", new float[][] {{0}, {Float.NaN}, {0}}))),
                "'next_observations' row 1 is NaN (values must be finite)");
        assertMessage(craft("range.hdf5", h -> putMinimal(h, 2, 1, Map.of("rewards", new double[] {0, 1e300}))),
                "'rewards' row 1 is 1.0E300, outside the float32 range");
        assertMessage(craft("ints.hdf5", h -> putMinimal(h, 2, 1, Map.of("actions", new int[][] {{1}, {2}}))),
                "'actions' must hold floating-point numbers (float32 or float64), found int");
        assertMessage(craft("flag2.hdf5", h -> putMinimal(h, 3, 1, Map.of("terminals", new int[] {0, 2, 0}))),
                "'terminals' row 1 is 2, expected a boolean (0 or 1)");
        assertMessage(craft("all-timeouts.hdf5", h -> putMinimal(h, 2, 1, Map.of("timeouts", new boolean[] {true, true}))),
                "no transitions left after rebuilding next_observations");
    }

    /** jhdf 0.13 writes a group without children after the last dataset over its own version stamp: unreadable. */
    @Test
    void corruptFilesFromJhdfWriterQuirkAreReportedAndCaughtBeforeCommit() {
        Path f = craft("quirk.hdf5", h -> {
            h.putDataset("x", new float[] {1});
            h.putGroup("m");
        });
        assertMessage(f, "could not read HDF5 file");
        OfflineDataset d = synthetic(5, 1, 1, 4, Map.of());
        DatasetException e = assertThrows(DatasetException.class, () -> D4rlHdf5.verifyStructure(d, f));
        assertTrue(e.getMessage().startsWith("jhdf wrote a file that does not read back"), e.getMessage());
        Path other = dir.resolve("other.hdf5");
        D4rlHdf5.write(synthetic(6, 1, 1, 4, Map.of()), other);
        assertThrows(DatasetException.class, () -> D4rlHdf5.verifyStructure(d, other), "shapes differ");
        D4rlHdf5.verifyStructure(synthetic(6, 1, 1, 4, Map.of()), other);
    }

    // ---- atomic writes ----

    @Test
    void failedWriteLeavesThePreviousFileAndNoTemporaryFile() throws Exception {
        Path f = dir.resolve("kept.hdf5");
        OfflineDataset old = synthetic(50, 2, 1, 6, Map.of("version", "old"));
        D4rlHdf5.write(old, f);
        byte[] before = Files.readAllBytes(f);
        OfflineDataset fresh = synthetic(80, 2, 1, 7, Map.of("version", "new"));
        Path[] seen = new Path[1];
        DatasetException e = assertThrows(DatasetException.class, () -> D4rlHdf5.write(fresh, f, tmp -> {
            seen[0] = tmp;
            assertTrue(tmp.toFile().length() > 0 && tmp.getParent().equals(f.getParent()), "complete temporary sibling");
            throw new UncheckedIOException(new IOException("disk full (simulated)"));
        }));
        assertTrue(e.getMessage().startsWith("could not write dataset " + f) && e.getMessage().contains("disk full"), e.getMessage());
        assertFalse(Files.exists(seen[0]), "temporary file removed");
        assertArrayEquals(before, Files.readAllBytes(f), "previous file untouched");
        assertEquals(List.of(f), listDir(dir));
    }

    @Test
    void failedRenameLeavesNoTemporaryFile() throws Exception {
        Path blocked = dir.resolve("sub").resolve("x.hdf5");
        Files.createDirectories(blocked.resolve("inside")); // a non-empty directory where the file should go
        DatasetException e = assertThrows(DatasetException.class, () -> D4rlHdf5.write(synthetic(10, 2, 1, 8, Map.of()), blocked));
        assertTrue(e.getMessage().contains(blocked.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        assertEquals(List.of(blocked), listDir(dir.resolve("sub")), "only the blocking directory remains");
    }

    @Test
    void unwritableLocationsAndEmptyDatasetsAreRefused() throws Exception {
        Path file = dir.resolve("plain-file");
        Files.writeString(file, "x");
        Path underFile = file.resolve("d.hdf5");
        DatasetException e = assertThrows(DatasetException.class, () -> D4rlHdf5.write(synthetic(5, 1, 1, 9, Map.of()), underFile));
        assertTrue(e.getMessage().contains(underFile.toString()), e.getMessage());
        OfflineDataset empty = new OfflineDataset(2, 1, new float[0], new float[0], new float[0], new float[0], new boolean[0],
                new boolean[0], Map.of());
        Path target = dir.resolve("empty.hdf5");
        assertEquals("refusing to write an empty dataset (0 rows) to " + target,
                assertThrows(DatasetException.class, () -> D4rlHdf5.write(empty, target)).getMessage());
        assertEquals(List.of(file), listDir(dir));
    }

    // ---- helpers ----

    /** A deterministic dataset: Gaussian observations and actions, episodes ending in terminals or timeouts. */
    static OfflineDataset synthetic(int n, int s, int a, long seed, Map<String, String> metadata) {
        Random r = new Random(seed);
        float[] obs = new float[n * s], next = new float[n * s], act = new float[n * a], rew = new float[n];
        boolean[] term = new boolean[n], tout = new boolean[n];
        for (int i = 0; i < n * s; i++) {
            obs[i] = (float) r.nextGaussian();
            next[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < n * a; i++) {
            act[i] = (float) (2 * r.nextDouble() - 1);
        }
        for (int i = 0; i < n; i++) {
            rew[i] = (float) (r.nextGaussian() * 10);
            term[i] = r.nextInt(23) == 0;
            tout[i] = !term[i] && (i % 50 == 49);
        }
        return new OfflineDataset(s, a, obs, act, rew, next, term, tout, metadata);
    }

    static void assertSameDataset(OfflineDataset expected, OfflineDataset actual) {
        assertEquals(expected.observationDim(), actual.observationDim());
        assertEquals(expected.actionDim(), actual.actionDim());
        assertArrayEquals(expected.observations(), actual.observations());
        assertArrayEquals(expected.actions(), actual.actions());
        assertArrayEquals(expected.rewards(), actual.rewards());
        assertArrayEquals(expected.nextObservations(), actual.nextObservations());
        assertArrayEquals(expected.terminals(), actual.terminals());
        assertArrayEquals(expected.timeouts(), actual.timeouts());
        assertEquals(new TreeMap<>(expected.metadata()), new TreeMap<>(actual.metadata()));
    }

    /** The read fails with a one-line DatasetException that names the file and contains {@code fragment}. */
    static void assertMessage(Path file, String fragment) {
        String msg = assertThrows(DatasetException.class, () -> D4rlHdf5.read(file)).getMessage();
        assertTrue(msg.contains(fragment), "expected '" + fragment + "' in: " + msg);
        assertTrue(msg.contains(file.toString()), "names the file: " + msg);
        assertFalse(msg.contains("\n") || msg.contains("\r"), "one line: " + msg);
    }

    /** Writes a file with jhdf directly, for layouts our writer never produces. */
    private Path craft(String name, Consumer<WritableHdfFile> content) {
        Path f = dir.resolve(name);
        try (WritableHdfFile h = HdfFile.write(f)) {
            content.accept(h);
        }
        return f;
    }

    /**
     * A valid file of {@code n} rows with observations[i] = rewards[i] = i (width {@code s}), actions 0, terminals false,
     * no timeouts or next_observations; {@code overrides} replaces or adds datasets by key.
     */
    private static void putMinimal(WritableHdfFile h, int n, int s, Map<String, Object> overrides) {
        float[][] obs = new float[n][s];
        float[] rew = new float[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(obs[i], i);
            rew[i] = i;
        }
        Map<String, Object> content = new TreeMap<>(Map.of("observations", obs, "actions", new float[n][1], "rewards", rew,
                "terminals", new boolean[n]));
        content.putAll(overrides);
        content.forEach(h::putDataset);
    }

    private static List<Path> listDir(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.sorted().toList();
        }
    }
}
