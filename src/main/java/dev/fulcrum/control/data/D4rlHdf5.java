package dev.fulcrum.control.data;

import dev.fulcrum.core.io.AtomicFiles;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Reads and writes {@link OfflineDataset}s as HDF5 files in D4RL's layout, with jhdf (pure Java), interchangeable
 * with files that h5py writes and reads.
 *
 * <h2>Layout</h2>
 * <pre>
 *   observations       (N, S)           float32 or float64         required
 *   actions            (N, A)           float32 or float64         required
 *   rewards            (N,) or (N, 1)   float32 or float64         required
 *   terminals          (N,) or (N, 1)   boolean                    required: true end of episode, no bootstrapping
 *   timeouts           (N,) or (N, 1)   boolean                    optional (absent: all false): episode cut by a
 *                                                                  time limit, bootstrapping continues
 *   next_observations  (N, S)           float32 or float64         optional (absent: rebuilt, see below)
 *   metadata/          attributes, scalar datasets, nested groups  optional provenance
 *   /  (root)          attributes                                  optional provenance
 * </pre>
 * Row i of every dataset describes transition i. Other root entries (D4RL's {@code infos/*}, for instance) are ignored.
 *
 * <h2>Reading</h2>
 * Floating-point data may be float32 or float64 (converted to float; a float64 value outside the float32 range is an
 * error), stored contiguously or chunked, with the gzip, shuffle, lzf (or any other jhdf-supported) filters.
 * A dataset of shape (N,) is accepted where (N, 1) is meant. Booleans may be h5py's {@code bool} (an int8 enum that
 * jhdf reports as {@code "TRUE"}/{@code "FALSE"}), an HDF5 bitfield, or integers or floats that are all 0 or 1 (uint8 and
 * int8 being the usual ones). Metadata is gathered by {@link Hdf5Metadata}: root attributes, overridden by the
 * attributes and scalar datasets under {@code metadata/}, each turned into a string.
 *
 * <p><b>Missing next_observations</b> are rebuilt the way {@code d4rl.qlearning_dataset} does it: {@code next[i] =
 * observations[i + 1]} within an episode, and a transition whose successor is unknown is dropped: a non-terminal row
 * that is a timeout (the following row starts a new episode) or that is the last row of the file. Unlike
 * {@code qlearning_dataset}, a terminal row is always kept (also when it is the last row or also a timeout) with
 * {@code next[i] = observations[i]}, a placeholder that is never bootstrapped from. The last kept row before a dropped
 * one is marked as a timeout (unless terminal), so episode boundaries survive the drop. The result's metadata records
 * {@value #META_NEXT_OBSERVATIONS} = {@value #RECONSTRUCTED} and {@value #META_ROWS_DROPPED} = the number of dropped
 * rows.
 *
 * <h2>Writing</h2>
 * All seven entries are written: float datasets as float32, chunked (about 256 KiB a chunk) with shuffle and deflate
 * (gzip level {@value #DEFLATE_LEVEL}); {@code terminals} and {@code timeouts} as uint8 0/1, chunked with deflate (jhdf
 * cannot write h5py's bool enum; D4RL's loaders cast with {@code astype(bool)} and h5py of every version reads uint8);
 * the metadata as string attributes of the {@code metadata} group, in key order (jhdf adds a root attribute
 * {@code _jHDF} with its version, which reading skips). The write is atomic: the file is built as a temporary sibling,
 * re-opened to check its structure (jhdf's writer is young, see {@link #verifyStructure}), forced to disk and renamed
 * over the target ({@link AtomicFiles}); on any failure the temporary file is deleted and a previous file at the target
 * is left as it was. The output is byte-for-byte deterministic on a given platform (jhdf's stamp names the OS).
 *
 * <h2>h5py compatibility (verified)</h2>
 * With h5py 3.7.0 / HDF5 1.10.8 (Debian 12's python3-h5py): files written here open in h5py with the shapes above,
 * dtypes float32 and uint8, {@code compression == "gzip"} and {@code shuffle == True} on the float datasets, values equal
 * bit for bit, flags that {@code astype(bool)} turns into the written booleans, and metadata attributes that h5py returns
 * as {@code numpy.bytes_} (fixed-length strings: {@code .decode("utf-8")} gives the text back, non-ASCII included).
 * {@code D4rlHdf5H5pyTest} repeats this check wherever {@code /usr/bin/python3} has h5py. In the other direction, files
 * written by h5py (scripts/fixtures/make_d4rl_fixtures.py) are read by {@code D4rlHdf5FixturesTest}.
 *
 * <h2>Errors</h2>
 * Every problem is a {@link DatasetException} with a one-line message naming the file and, where it applies, the field,
 * row and column: a missing file, a file that is not HDF5, a required dataset that is missing (the message lists the
 * entries found), a wrong rank or shape, row counts that differ between fields, a non-finite value, a flag that is not
 * a boolean, an empty dataset, or a failed write.
 */
public final class D4rlHdf5 {
    /** Metadata key set when next_observations were rebuilt; its value is {@link #RECONSTRUCTED}. */
    public static final String META_NEXT_OBSERVATIONS = "next_observations";
    /** Metadata key set when next_observations were rebuilt: how many rows were dropped, in decimal. */
    public static final String META_ROWS_DROPPED = "rows_dropped";
    /** Value of {@link #META_NEXT_OBSERVATIONS} when next_observations were rebuilt. */
    public static final String RECONSTRUCTED = "reconstructed from observations (d4rl.qlearning_dataset convention)";

    static final int DEFLATE_LEVEL = 4;
    private static final int CHUNK_BYTES = 1 << 18;
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private D4rlHdf5() {
    }

    /**
     * Reads a D4RL-layout file (see the class description).
     *
     * @throws DatasetException naming the file, and the field and row where one is at fault
     */
    public static OfflineDataset read(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            throw new DatasetException("dataset file not found: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("dataset path is not a regular file: " + file);
        }
        requireHdf5Signature(file);
        try (HdfFile hdf = new HdfFile(file)) {
            return new Reader(file, hdf).read();
        } catch (DatasetException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DatasetException(file + ": could not read HDF5 file (" + describe(e) + ")", e);
        }
    }

    /**
     * Writes {@code data} to {@code file} atomically (see the class description), replacing any file there.
     *
     * @throws DatasetException if the dataset is empty or the file cannot be written; nothing is left behind then
     */
    public static void write(OfflineDataset data, Path file) {
        write(data, file, temporary -> { });
    }

    /**
     * {@link #write(OfflineDataset, Path)} with a hook that runs on the complete temporary file just before it is renamed
     * over the target; tests make it throw to check that a failed write leaves nothing behind.
     */
    static void write(OfflineDataset data, Path file, Consumer<Path> beforeCommit) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(file, "file");
        if (data.size() == 0) {
            throw new DatasetException("refusing to write an empty dataset (0 rows) to " + file);
        }
        if (data.observationDim() < 1 || data.actionDim() < 1) {
            throw new DatasetException("cannot write " + file + ": observation and action widths must be positive, got "
                    + data.observationDim() + " and " + data.actionDim());
        }
        if (data.metadata().containsKey("")) {
            throw new DatasetException("cannot write " + file + ": metadata has an empty key");
        }
        try {
            AtomicFiles.writeVia(file, temporary -> {
                writeContent(data, temporary);
                verifyStructure(data, temporary);
                beforeCommit.accept(temporary);
            });
        } catch (DatasetException e) {
            throw new DatasetException("could not write dataset " + file + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new DatasetException("could not write dataset " + file + ": " + describe(cause), e);
        } catch (RuntimeException e) {
            throw new DatasetException("could not write dataset " + file + ": " + describe(e), e);
        }
    }

    private static void writeContent(OfflineDataset d, Path temporary) {
        int n = d.size(), s = d.observationDim(), a = d.actionDim();
        try (WritableHdfFile hdf = HdfFile.write(temporary)) {
            hdf.putDataset("observations", rows(d.observations(), n, s), floats(n, s));
            hdf.putDataset("actions", rows(d.actions(), n, a), floats(n, a));
            hdf.putDataset("rewards", d.rewards().clone(), floats(n, 0));
            hdf.putDataset("next_observations", rows(d.nextObservations(), n, s), floats(n, s));
            hdf.putDataset("terminals", bytes(d.terminals()), flags(n));
            hdf.putDataset("timeouts", bytes(d.timeouts()), flags(n));
            WritableGroup meta = hdf.putGroup("metadata");
            new TreeMap<>(d.metadata()).forEach(meta::putAttribute);
        }
    }

    /**
     * Re-opens the written file and checks its structure (entries, shapes, metadata names) without reading the data.
     * jhdf's writer is young: 0.13.0, for one, corrupts the header of a group without child nodes when that group happens
     * to be written after the last dataset (the writer's trailing version string lands on it). Our seven root names put
     * {@code metadata} early, so this does not happen, but a writer bug must fail the write rather than leave a file
     * that neither jhdf nor h5py can open.
     */
    static void verifyStructure(OfflineDataset d, Path temporary) {
        int n = d.size();
        Map<String, int[]> shapes = Map.of("observations", new int[] {n, d.observationDim()}, "actions",
                new int[] {n, d.actionDim()}, "rewards", new int[] {n}, "next_observations", new int[] {n, d.observationDim()},
                "terminals", new int[] {n}, "timeouts", new int[] {n});
        String problem;
        try (HdfFile hdf = new HdfFile(temporary)) {
            Map<String, Node> children = hdf.getChildren();
            problem = null;
            for (Map.Entry<String, int[]> e : shapes.entrySet()) {
                if (!(children.get(e.getKey()) instanceof Dataset ds) || !Arrays.equals(ds.getDimensions(), e.getValue())) {
                    problem = "'" + e.getKey() + "' missing or misshapen";
                }
            }
            if (!(children.get("metadata") instanceof Group meta)
                    || !meta.getAttributes().keySet().equals(d.metadata().keySet())) {
                problem = "'metadata' missing or incomplete";
            }
        } catch (RuntimeException e) {
            problem = describe(e);
        }
        if (problem != null) {
            throw new DatasetException("jhdf wrote a file that does not read back (" + problem + ")");
        }
    }

    /** float32, chunked by rows, shuffle + deflate; {@code cols == 0} means a one-dimensional dataset. */
    static DatasetCreationOptions floats(int rows, int cols) {
        int chunkRows = Math.clamp(CHUNK_BYTES / (Math.max(cols, 1) * (long) Float.BYTES), 1, rows);
        DatasetCreationOptions.Builder b = DatasetCreationOptions.builder().shuffle().deflate(DEFLATE_LEVEL);
        return (cols > 0 ? b.chunkDimensions(chunkRows, cols) : b.chunkDimensions(chunkRows)).build();
    }

    /** uint8, chunked, deflate (shuffle does nothing on one-byte values). */
    static DatasetCreationOptions flags(int rows) {
        return DatasetCreationOptions.builder().unsigned().chunkDimensions(Math.clamp(CHUNK_BYTES, 1, rows))
                .deflate(DEFLATE_LEVEL).build();
    }

    static float[][] rows(float[] flat, int rows, int width) {
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return out;
    }

    static byte[] bytes(boolean[] flags) {
        byte[] out = new byte[flags.length];
        for (int i = 0; i < flags.length; i++) {
            out[i] = (byte) (flags[i] ? 1 : 0);
        }
        return out;
    }

    static void requireHdf5Signature(Path file) {
        // The superblock signature sits at offset 0, or after a user block at 512, 1024, 2048, ... bytes.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate(SIGNATURE.length);
            for (long offset = 0; offset + SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                    // fill
                }
                if (!buf.hasRemaining() && Arrays.equals(buf.array(), SIGNATURE)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new DatasetException("could not read dataset file " + file + ": " + describe(e), e);
        }
        throw new DatasetException(file + ": not an HDF5 file (no HDF5 signature found)");
    }

    /** An exception as one line: its type and message. */
    static String describe(Throwable e) {
        String msg = e.getMessage() == null ? "" : ": " + e.getMessage().replaceAll("\\s*\\R\\s*", " ").strip();
        return e.getClass().getSimpleName() + msg;
    }

    /** Reads one open file; every message starts with the file name. {@link MinariHdf5} reuses its array conversions. */
    static final class Reader {
        private final Path file;
        private final HdfFile hdf;

        Reader(Path file, HdfFile hdf) {
            this.file = file;
            this.hdf = hdf;
        }

        OfflineDataset read() {
            Dataset obsDs = dataset("observations", true);
            int n = rows(obsDs);
            if (n == 0) {
                throw error("dataset is empty ('observations' has 0 rows)");
            }
            int s = columns("observations", obsDs);
            Dataset actDs = dataset("actions", true);
            int a = columns("actions", actDs);
            Dataset rewDs = dataset("rewards", true);
            requireSingleColumn("rewards", rewDs);
            Dataset termDs = dataset("terminals", true);
            requireSingleColumn("terminals", termDs);
            Dataset toutDs = dataset("timeouts", false);
            if (toutDs != null) {
                requireSingleColumn("timeouts", toutDs);
            }
            Dataset nextDs = dataset("next_observations", false);
            int nextColumns = nextDs == null ? s : columns("next_observations", nextDs);
            if (nextColumns != s) {
                throw error("'next_observations' has " + nextColumns + " columns but 'observations' has " + s);
            }
            for (Dataset ds : new Dataset[] {actDs, rewDs, termDs, toutDs, nextDs}) {
                if (ds != null && rows(ds) != n) {
                    throw error("'" + ds.getName() + "' has " + rows(ds) + " rows but 'observations' has " + n);
                }
            }
            float[] obs = floats("observations", obsDs, s);
            float[] act = floats("actions", actDs, a);
            float[] rew = floats("rewards", rewDs, 1);
            float[] next = nextDs == null ? null : floats("next_observations", nextDs, s);
            boolean[] term = flags("terminals", termDs);
            boolean[] tout = toutDs == null ? new boolean[n] : flags("timeouts", toutDs);
            Map<String, String> meta = Hdf5Metadata.read(hdf);
            try {
                return next != null
                        ? new OfflineDataset(s, a, obs, act, rew, next, term, tout, meta)
                        : rebuildNext(s, a, obs, act, rew, term, tout, meta);
            } catch (DatasetException e) { // the constructor's own checks; ours ran first, so this is a backstop
                throw error(e.getMessage());
            }
        }

        /** See "Missing next_observations" in the class description. */
        private OfflineDataset rebuildNext(int s, int a, float[] obs, float[] act, float[] rew, boolean[] term,
                                           boolean[] tout, Map<String, String> meta) {
            int n = rew.length;
            boolean[] keep = new boolean[n];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                keep[i] = term[i] || (!tout[i] && i + 1 < n);
                kept += keep[i] ? 1 : 0;
            }
            if (kept == 0) {
                throw error("no transitions left after rebuilding next_observations: all " + n
                        + " rows are timeouts or the final non-terminal row");
            }
            float[] o = new float[kept * s], nx = new float[kept * s], ac = new float[kept * a], r = new float[kept];
            boolean[] te = new boolean[kept], to = new boolean[kept];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (!keep[i]) {
                    continue;
                }
                System.arraycopy(obs, i * s, o, k * s, s);
                System.arraycopy(obs, (term[i] ? i : i + 1) * s, nx, k * s, s);
                System.arraycopy(act, i * a, ac, k * a, a);
                r[k] = rew[i];
                te[k] = term[i];
                to[k] = !term[i] && i + 1 < n && !keep[i + 1];
                k++;
            }
            Map<String, String> m = new LinkedHashMap<>(meta);
            m.put(META_NEXT_OBSERVATIONS, RECONSTRUCTED);
            m.put(META_ROWS_DROPPED, Integer.toString(n - kept));
            return new OfflineDataset(s, a, o, ac, r, nx, te, to, m);
        }

        /** The dataset at a root key; null if absent and optional. */
        private Dataset dataset(String key, boolean required) {
            Map<String, Node> children = hdf.getChildren();
            Node node = children.get(key);
            if (node == null) {
                if (!required) {
                    return null;
                }
                throw error("required dataset '" + key + "' is missing (found: "
                        + (children.isEmpty() ? "nothing" : String.join(", ", new TreeMap<>(children).keySet())) + ")");
            }
            if (node instanceof Dataset ds) {
                return ds;
            }
            String kind = node instanceof Group ? "group" : node.getType().toString().toLowerCase(Locale.ROOT);
            throw error("'" + key + "' is a " + kind + ", expected a dataset");
        }

        int rows(Dataset ds) {
            int[] dims = ds.getDimensions();
            return dims.length == 0 ? 1 : dims[0];
        }

        /** Width of an (N, D) dataset, 1 for (N,); any other rank is an error. */
        private int columns(String key, Dataset ds) {
            int[] dims = ds.getDimensions();
            if (dims.length == 1) {
                return 1;
            }
            if (dims.length != 2) {
                throw error("'" + key + "' must have shape (N, D), found " + shape(dims));
            }
            if (dims[1] < 1) {
                throw error("'" + key + "' has shape " + shape(dims) + ": no columns");
            }
            return dims[1];
        }

        void requireSingleColumn(String key, Dataset ds) {
            int[] dims = ds.getDimensions();
            if (!(dims.length == 1 || (dims.length == 2 && dims[1] == 1))) {
                throw error("'" + key + "' must have shape (N,) or (N, 1), found " + shape(dims));
            }
        }

        private Object data(String key, Dataset ds) {
            Object data;
            try {
                data = ds.getDataFlat();
            } catch (RuntimeException e) {
                throw error("could not read '" + key + "' (" + describe(e) + ")");
            }
            if (data == null || !data.getClass().isArray()) {
                throw error("could not read '" + key + "' (no array data)");
            }
            return data;
        }

        /** Row-major floats of a (N, width) dataset, checked to be finite. */
        float[] floats(String key, Dataset ds, int width) {
            float[] out = switch (data(key, ds)) {
                case float[] f -> f;
                case double[] d -> {
                    float[] f = new float[d.length];
                    for (int i = 0; i < d.length; i++) {
                        f[i] = (float) d[i];
                        if (Double.isFinite(d[i]) && !Float.isFinite(f[i])) {
                            throw error("'" + key + "' " + at(i, width) + " is " + d[i] + ", outside the float32 range");
                        }
                    }
                    yield f;
                }
                case Object other -> throw error("'" + key + "' must hold floating-point numbers (float32 or float64), found "
                        + typeName(other));
            };
            for (int i = 0; i < out.length; i++) {
                if (!Float.isFinite(out[i])) {
                    throw error("'" + key + "' " + at(i, width) + " is " + out[i] + " (values must be finite)");
                }
            }
            return out;
        }

        boolean[] flags(String key, Dataset ds) {
            Object data = data(key, ds);
            if (data instanceof boolean[] b) {
                return b;
            }
            int n = Array.getLength(data);
            boolean[] out = new boolean[n];
            for (int i = 0; i < n; i++) {
                Object v = Array.get(data, i);
                out[i] = switch (v) {
                    case Boolean b -> b;
                    case String str when str.equals("TRUE") -> true;
                    case String str when str.equals("FALSE") -> false;
                    case Number num when num.doubleValue() == 1 -> true;
                    case Number num when num.doubleValue() == 0 -> false;
                    case Number num -> throw error("'" + key + "' row " + i + " is " + num + ", expected a boolean (0 or 1)");
                    case String str -> throw error("'" + key + "' row " + i + " is '" + str + "', expected a boolean");
                    default -> throw error("'" + key + "' must hold booleans, found " + typeName(data));
                };
            }
            return out;
        }

        private static String at(int index, int width) {
            return width == 1 ? "row " + index : "row " + (index / width) + " column " + (index % width);
        }

        static String shape(int[] dims) {
            return Arrays.stream(dims).mapToObj(Integer::toString)
                    .collect(Collectors.joining(", ", "(", dims.length == 1 ? ",)" : ")"));
        }

        private static String typeName(Object data) {
            Class<?> c = data.getClass();
            return c.isArray() ? c.getComponentType().getSimpleName() : c.getSimpleName();
        }

        DatasetException error(String message) {
            return new DatasetException(file + ": " + message);
        }
    }
}
