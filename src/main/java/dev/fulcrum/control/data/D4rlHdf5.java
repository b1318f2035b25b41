package dev.fulcrum.control.data;

import dev.fulcrum.core.io.AtomicFiles;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes offline datasets in D4RL's HDF5 layout, with jhdf (pure Java), compatibly with h5py:
 * <pre>
 *   observations       (N, S) float       actions   (N, A) float       rewards (N,) or (N, 1) float
 *   terminals          (N,)   bool        timeouts  (N,)   bool        next_observations (N, S) float, optional
 *   metadata/          string attributes (provenance), optional
 * </pre>
 * Reading accepts float32 or float64, booleans as h5py writes them (an enum jhdf reports as "TRUE"/"FALSE") or as
 * integers, and gzip/shuffle/lzf compression. Files without {@code next_observations} get them rebuilt as
 * {@code d4rl.qlearning_dataset} does: the next row within the episode, dropping transitions whose successor is unknown
 * (rows marked as timeouts, and a final row that is not terminal); the metadata records how many were dropped.
 * Writing uses float32 with shuffle and deflate; booleans are stored as 8-bit values that h5py reads as uint8 (D4RL's
 * loaders cast them with {@code astype(bool)}). Writes are atomic. Every problem is a {@link DatasetException} naming
 * the file and the field.
 */
public final class D4rlHdf5 {
    private D4rlHdf5() {
    }

    public static OfflineDataset read(Path file) {
        if (!Files.exists(file)) {
            throw new DatasetException("dataset file not found: " + file);
        }
        try (HdfFile hdf = new HdfFile(file)) {
            float[][] obs = matrix(hdf, file, "observations");
            int n = obs.length;
            if (n == 0) {
                throw new DatasetException(file + ": dataset is empty (0 rows in 'observations')");
            }
            float[][] actions = matrix(hdf, file, "actions");
            float[] rewards = vector(hdf, file, "rewards");
            boolean[] terminals = flags(hdf, file, "terminals", n, true);
            boolean[] timeouts = flags(hdf, file, "timeouts", n, false);
            float[][] next = has(hdf, "next_observations") ? matrix(hdf, file, "next_observations") : null;
            requireRows(file, "actions", actions.length, n);
            requireRows(file, "rewards", rewards.length, n);
            if (next != null) {
                requireRows(file, "next_observations", next.length, n);
            }
            int s = width(file, "observations", obs), a = width(file, "actions", actions);
            if (next != null && width(file, "next_observations", next) != s) {
                throw new DatasetException(file + ": 'next_observations' has " + next[0].length + " columns but 'observations' has " + s);
            }
            Map<String, String> meta = metadata(hdf);
            if (next == null) {
                return rebuildNext(file, obs, actions, rewards, terminals, timeouts, s, a, meta);
            }
            try {
                return new OfflineDataset(s, a, flatten(obs, s), flatten(actions, a), rewards, flatten(next, s), terminals, timeouts, meta);
            } catch (DatasetException e) {
                throw new DatasetException(file + ": " + e.getMessage(), e);
            }
        } catch (HdfException e) {
            throw new DatasetException(file + ": not a readable HDF5 file (" + e.getMessage() + ")", e);
        }
    }

    private static OfflineDataset rebuildNext(Path file, float[][] obs, float[][] actions, float[] rewards, boolean[] terminals,
                                              boolean[] timeouts, int s, int a, Map<String, String> meta) {
        int n = obs.length;
        int kept = 0;
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n - 1; i++) {
            keep[i] = !timeouts[i];
            kept += keep[i] ? 1 : 0;
        }
        if (terminals[n - 1]) { // a final terminal row needs no successor
            keep[n - 1] = true;
            kept++;
        }
        float[] o = new float[kept * s], nx = new float[kept * s], ac = new float[kept * a], r = new float[kept];
        boolean[] te = new boolean[kept], to = new boolean[kept];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!keep[i]) {
                continue;
            }
            System.arraycopy(obs[i], 0, o, k * s, s);
            System.arraycopy(i + 1 < n ? obs[i + 1] : obs[i], 0, nx, k * s, s);
            System.arraycopy(actions[i], 0, ac, k * a, a);
            r[k] = rewards[i];
            te[k] = terminals[i];
            // the row before a dropped timeout row is the last kept row of its episode: mark the boundary
            to[k] = !terminals[i] && i + 1 < n && timeouts[i + 1];
            k++;
        }
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("next_observations", "rebuilt from observations (d4rl.qlearning_dataset convention)");
        m.put("rows_dropped", Integer.toString(n - kept));
        try {
            return new OfflineDataset(s, a, o, ac, r, nx, te, to, m);
        } catch (DatasetException e) {
            throw new DatasetException(file + ": " + e.getMessage(), e);
        }
    }

    public static void write(OfflineDataset d, Path file) {
        int n = d.size();
        try {
            AtomicFiles.writeVia(file, tmp -> {
                try (WritableHdfFile hdf = HdfFile.write(tmp)) {
                    hdf.putDataset("observations", unflatten(d.observations(), n, d.observationDim()), compressed(n, d.observationDim()));
                    hdf.putDataset("actions", unflatten(d.actions(), n, d.actionDim()), compressed(n, d.actionDim()));
                    hdf.putDataset("rewards", d.rewards().clone(), compressed(n, 0));
                    hdf.putDataset("next_observations", unflatten(d.nextObservations(), n, d.observationDim()),
                            compressed(n, d.observationDim()));
                    hdf.putDataset("terminals", d.terminals().clone());
                    hdf.putDataset("timeouts", d.timeouts().clone());
                    WritableGroup meta = hdf.putGroup("metadata");
                    d.metadata().forEach(meta::putAttribute);
                    hdf.putAttribute("fulcrum_layout", "d4rl");
                } catch (HdfException e) {
                    throw new IOException(e.getMessage(), e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw new DatasetException("could not write dataset " + file + ": " + e.getCause().getMessage(), e);
        }
    }

    private static DatasetCreationOptions compressed(int rows, int cols) {
        int chunkRows = Math.max(1, Math.min(rows, 16_384));
        DatasetCreationOptions.Builder b = DatasetCreationOptions.builder().shuffle().deflate(4);
        return cols > 0 ? b.chunkDimensions(chunkRows, cols).build() : b.chunkDimensions(chunkRows).build();
    }

    private static boolean has(HdfFile hdf, String path) {
        try {
            hdf.getDatasetByPath(path);
            return true;
        } catch (HdfException e) {
            return false;
        }
    }

    private static io.jhdf.api.Dataset dataset(HdfFile hdf, Path file, String key) {
        try {
            return hdf.getDatasetByPath(key);
        } catch (HdfException e) {
            throw new DatasetException(file + ": required dataset '" + key + "' is missing (found: "
                    + String.join(", ", hdf.getChildren().keySet()) + ")");
        }
    }

    private static float[][] matrix(HdfFile hdf, Path file, String key) {
        io.jhdf.api.Dataset ds = dataset(hdf, file, key);
        int[] dims = ds.getDimensions();
        if (dims.length != 2) {
            throw new DatasetException(file + ": '" + key + "' must have 2 dimensions (rows, columns), found shape "
                    + java.util.Arrays.toString(dims));
        }
        Object data = ds.getData();
        float[][] out = new float[dims[0]][];
        for (int i = 0; i < dims[0]; i++) {
            out[i] = toFloats(Array.get(data, i), file, key);
        }
        return out;
    }

    private static float[] vector(HdfFile hdf, Path file, String key) {
        io.jhdf.api.Dataset ds = dataset(hdf, file, key);
        int[] dims = ds.getDimensions();
        if (dims.length == 2 && dims[1] == 1) {
            Object data = ds.getData();
            float[] out = new float[dims[0]];
            for (int i = 0; i < dims[0]; i++) {
                out[i] = toFloats(Array.get(data, i), file, key)[0];
            }
            return out;
        }
        if (dims.length != 1) {
            throw new DatasetException(file + ": '" + key + "' must have shape (N,) or (N, 1), found " + java.util.Arrays.toString(dims));
        }
        return toFloats(ds.getData(), file, key);
    }

    private static float[] toFloats(Object array, Path file, String key) {
        if (array instanceof float[] f) {
            return f;
        }
        if (array instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        throw new DatasetException(file + ": '" + key + "' must hold floating-point numbers, found "
                + array.getClass().getComponentType());
    }

    private static boolean[] flags(HdfFile hdf, Path file, String key, int rows, boolean required) {
        if (!required && !has(hdf, key)) {
            return new boolean[rows];
        }
        io.jhdf.api.Dataset ds = dataset(hdf, file, key);
        Object data = ds.getDataFlat();
        int len = Array.getLength(data);
        if (len != rows) {
            throw new DatasetException(file + ": '" + key + "' has " + len + " rows but 'observations' has " + rows);
        }
        boolean[] out = new boolean[len];
        for (int i = 0; i < len; i++) {
            Object v = Array.get(data, i);
            out[i] = switch (v) {
                case Boolean b -> b;
                case String s when s.equalsIgnoreCase("TRUE") || s.equals("1") -> true;
                case String s when s.equalsIgnoreCase("FALSE") || s.equals("0") -> false;
                case Number num when num.doubleValue() == 0 -> false;
                case Number num when num.doubleValue() == 1 -> true;
                default -> throw new DatasetException(file + ": '" + key + "' row " + i + " is " + v + ", not a boolean");
            };
        }
        return out;
    }

    private static Map<String, String> metadata(HdfFile hdf) {
        Map<String, String> m = new LinkedHashMap<>();
        Node meta = hdf.getChildren().get("metadata");
        if (meta instanceof Group g) {
            for (Map.Entry<String, Attribute> e : g.getAttributes().entrySet()) {
                m.put(e.getKey(), String.valueOf(e.getValue().getData()));
            }
            for (Map.Entry<String, Node> e : g.getChildren().entrySet()) {
                if (e.getValue() instanceof io.jhdf.api.Dataset ds && ds.isScalar()) {
                    m.put(e.getKey(), String.valueOf(ds.getData()));
                }
            }
        }
        return m;
    }

    private static void requireRows(Path file, String key, int rows, int expected) {
        if (rows != expected) {
            throw new DatasetException(file + ": '" + key + "' has " + rows + " rows but 'observations' has " + expected);
        }
    }

    private static int width(Path file, String key, float[][] m) {
        return m.length == 0 ? 0 : m[0].length;
    }

    private static float[] flatten(float[][] m, int w) {
        float[] out = new float[m.length * w];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * w, w);
        }
        return out;
    }

    private static float[][] unflatten(float[] flat, int rows, int w) {
        float[][] out = new float[rows][w];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * w, out[i], 0, w);
        }
        return out;
    }
}
