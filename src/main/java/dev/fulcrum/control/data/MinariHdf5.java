package dev.fulcrum.control.data;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes {@link OfflineDataset}s in Minari's HDF5 layout (Farama Foundation's successor to D4RL), with jhdf.
 *
 * <h2>Layout</h2>
 * A Minari dataset is a directory {@code DATASET/data/} holding {@code main_data.hdf5} and, from Minari 0.5 on,
 * {@code metadata.json}:
 * <pre>
 *   main_data.hdf5
 *     episode_0/            group; attributes id, total_steps, seed (optional), options/... (optional)
 *       observations        (T+1, ...)  the reset observation, then the observation after each of the T steps
 *       actions             (T, ...)
 *       rewards             (T,)
 *       terminations        (T,) bool   Gymnasium's {@code terminated} after each step
 *       truncations         (T,) bool   Gymnasium's {@code truncated} after each step
 *       infos/              per-step info arrays (ignored here)
 *     episode_1/ ...        ids run 0 .. total_episodes - 1
 *   metadata.json           dataset metadata: total_episodes, total_steps, data_format ("hdf5"), observation_space and
 *                           action_space (each a JSON string such as {"type": "Box", "dtype": "float32", "shape": [3],
 *                           "low": [...], "high": [...]}), dataset_id, minari_version, env_spec, author, ...
 * </pre>
 * Minari 0.4 and earlier kept the dataset metadata as attributes of {@code main_data.hdf5}'s root group instead
 * (total_episodes, total_steps, env_spec, dataset_id, flatten_observation, ...); no metadata.json.
 *
 * <p>Where this comes from (looked up in Farama-Foundation/Minari): {@code minari/dataset/_storages/hdf5_storage.py}
 * ({@code HDF5Storage.update_episodes} creates group {@code episode_{id}} with attributes {@code id}, {@code seed},
 * {@code total_steps} and datasets {@code observations, actions, rewards, terminations, truncations} plus an
 * {@code infos} group; {@code get_episodes} reads them back by those names), {@code minari/dataset/minari_storage.py}
 * ({@code METADATA_FILE_NAME = "metadata.json"} beside {@code main_data.hdf5}, created with total_episodes, total_steps,
 * data_format, observation_space, action_space, env_spec), {@code minari/serialization.py} (a Box space serialised as
 * above), {@code minari/dataset/minari_dataset.py} (loading needs {@code dataset_id} and a supported
 * {@code minari_version}; 0.5.1 accepts 0.4.0 to 0.5.1), the older {@code minari/minari_storage.py} (reads
 * {@code f.attrs["total_episodes"]}, {@code env_spec}, ... from the root group) and the EpisodeData documentation ("the
 * initial and final observations are included meaning that the number of observations will be increased by one compared
 * to the number of steps").
 *
 * <h2>Reading</h2>
 * {@link #read} takes a dataset directory (with {@code data/main_data.hdf5} or {@code main_data.hdf5}) or the HDF5 file
 * itself. Each episode of T steps becomes T rows of the flat table: row t has {@code observations[t]} and
 * {@code next_observations = observations[t + 1]}, {@code terminals = terminations[t]}, {@code timeouts = truncations[t]}.
 * An episode that ends with neither flag set (data cut mid-episode) gets a timeout on its last row unless it is the last
 * episode, so that episodes stay apart in the flat table. Episodes with no steps are skipped. Observations and actions of
 * shape (T, d1, d2, ...) are flattened row-major to d1*d2*... columns; Dict and Tuple spaces (stored as groups) are not
 * supported. Numbers may be float32 or float64, flags h5py booleans or 0/1 integers, with any jhdf-supported filter
 * (the conversions and messages of {@link D4rlHdf5}). Metadata: the root group's attributes as {@link D4rlHdf5} reads
 * them, then every top-level entry of a {@code metadata.json} beside the file (strings as they are, numbers and booleans
 * as text, lists and objects as compact JSON). Where the metadata gives total_episodes or total_steps, they must match
 * the episodes found.
 *
 * <h2>Writing</h2>
 * {@link #write} splits the flat table into episodes at every terminal or timeout row (and the last row) and stores
 * episode e's observations as its rows' observations followed by the last row's next observation, so within an episode
 * {@code next_observations[i]} must equal {@code observations[i + 1]} (checked; a dataset that breaks this cannot be
 * represented and is refused with the row named). Floats are written as float32 (chunked, shuffle + deflate), flags as
 * uint8 0/1 (jhdf cannot write h5py's bool enum; numpy and Minari treat 0/1 as booleans), episode attributes {@code id}
 * and {@code total_steps}, root attributes total_episodes, total_steps and the dataset's metadata (as Minari 0.4 kept
 * them). The target is either a directory, which gets {@code data/main_data.hdf5} and {@code data/metadata.json}, or an
 * {@code .hdf5}/{@code .h5} file; a file named {@code main_data.hdf5} also gets a {@code metadata.json} beside it.
 * metadata.json holds the metadata (strings), total_episodes, total_steps, {@code data_format = "hdf5"}, Box spaces of
 * dtype float32 with infinite bounds (the flat table carries no bounds), {@code dataset_id} (kept, or
 * {@code fulcrum/<env>-v0}) and {@code minari_version} (kept, or {@value #DEFAULT_MINARI_VERSION}, the storage layout
 * followed here). The keys in {@link #GENERATED_KEYS} are always computed, never copied from the input metadata. Each
 * file is written atomically ({@link AtomicFiles}); the HDF5 file is re-opened and its structure checked before it
 * replaces the target. Not verified against Minari itself (not installable here): {@code MinariHdf5H5pyTest} reads
 * our files with h5py the way {@code HDF5Storage.get_episodes} does.
 *
 * <h2>Errors</h2>
 * A {@link DatasetException} with a one-line message naming the file and the episode and field: a missing file or
 * directory, no episode groups, a gap in the episode ids, a missing dataset (the entries found are listed), a group where
 * an array is expected, observations that do not have T + 1 rows, row counts or widths that disagree, non-finite values,
 * metadata totals that disagree with the content, or a failed write.
 */
public final class MinariHdf5 {
    /** The HDF5 file of a Minari dataset. */
    public static final String MAIN_FILE = "main_data.hdf5";
    /** Minari's (0.5+) dataset metadata, beside {@link #MAIN_FILE}. */
    public static final String METADATA_FILE = "metadata.json";
    /** Written as {@code minari_version} when the metadata has none: the storage layout this class follows. */
    public static final String DEFAULT_MINARI_VERSION = "0.5.0";
    /** Metadata keys computed on every write (counts and spaces of the data written), never copied from the input. */
    public static final Set<String> GENERATED_KEYS = Set.of("total_episodes", "total_steps", "data_format",
            "observation_space", "action_space");

    private static final Pattern EPISODE = Pattern.compile("episode_(0|[1-9][0-9]{0,8})");
    private static final ObjectMapper LENIENT_JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private MinariHdf5() {
    }

    /**
     * Whether {@code path} looks like Minari data: a directory holding {@code data/main_data.hdf5} or
     * {@code main_data.hdf5}, or an HDF5 file whose root has an {@code episode_N} entry. Never throws.
     */
    public static boolean isMinari(Path path) {
        if (Files.isDirectory(path)) {
            return locateMain(path) != null;
        }
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try {
            D4rlHdf5.requireHdf5Signature(path);
        } catch (DatasetException e) {
            return false;
        }
        try (HdfFile hdf = new HdfFile(path)) {
            return hdf.getChildren().keySet().stream().anyMatch(k -> EPISODE.matcher(k).matches());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads a Minari dataset (see the class description).
     *
     * @param path a dataset directory or its {@code main_data.hdf5}
     * @throws DatasetException naming the file, episode and field at fault
     */
    public static OfflineDataset read(Path path) {
        Objects.requireNonNull(path, "path");
        Path main = mainFile(path);
        if (!Files.exists(main)) {
            throw new DatasetException("dataset file not found: " + main);
        }
        if (!Files.isRegularFile(main)) {
            throw new DatasetException("dataset path is not a regular file: " + main);
        }
        D4rlHdf5.requireHdf5Signature(main);
        Map<String, String> jsonMetadata = readMetadataJson(main.toAbsolutePath().resolveSibling(METADATA_FILE));
        try (HdfFile hdf = new HdfFile(main)) {
            return new EpisodeReader(main, hdf, jsonMetadata).read();
        } catch (DatasetException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DatasetException(main + ": could not read HDF5 file (" + D4rlHdf5.describe(e) + ")", e);
        }
    }

    /**
     * Writes {@code data} in Minari's layout (see the class description), replacing what is there.
     *
     * @param target a directory (gets {@code data/main_data.hdf5} and {@code data/metadata.json}) or an .hdf5/.h5 file
     * @return the HDF5 file written
     * @throws DatasetException if the data cannot be represented or written; the HDF5 target is then left as it was
     */
    public static Path write(OfflineDataset data, Path target) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(target, "target");
        boolean isFile = isHdf5Name(target);
        Path main = isFile ? target : target.resolve("data").resolve(MAIN_FILE);
        boolean withJson = !isFile || target.getFileName().toString().equals(MAIN_FILE);
        if (data.size() == 0) {
            throw new DatasetException("refusing to write an empty dataset (0 rows) to " + target);
        }
        if (data.metadata().containsKey("")) {
            throw new DatasetException("cannot write " + target + ": metadata has an empty key");
        }
        List<int[]> episodes = episodes(data, target);
        try {
            AtomicFiles.writeVia(main, temporary -> {
                writeContent(data, episodes, temporary);
                verifyStructure(data, episodes, temporary);
            });
            if (withJson) {
                AtomicFiles.writeString(main.toAbsolutePath().resolveSibling(METADATA_FILE), metadataJson(data, episodes.size()));
            }
        } catch (DatasetException e) {
            throw new DatasetException("could not write dataset " + target + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new DatasetException("could not write dataset " + target + ": " + D4rlHdf5.describe(cause), e);
        } catch (RuntimeException e) {
            throw new DatasetException("could not write dataset " + target + ": " + D4rlHdf5.describe(e), e);
        }
        return main;
    }

    /** True for names ending in .hdf5 or .h5 (any case). */
    static boolean isHdf5Name(Path path) {
        Path name = path.getFileName();
        String s = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        return s.endsWith(".hdf5") || s.endsWith(".h5");
    }

    /** The HDF5 file behind a path: the path itself, or the main file inside a dataset directory. */
    static Path mainFile(Path path) {
        if (!Files.isDirectory(path)) {
            return path;
        }
        Path found = locateMain(path);
        if (found == null) {
            throw new DatasetException("no Minari data in directory " + path + " (expected data/" + MAIN_FILE + " or "
                    + MAIN_FILE + ")");
        }
        return found;
    }

    private static Path locateMain(Path dir) {
        for (Path candidate : List.of(dir.resolve("data").resolve(MAIN_FILE), dir.resolve(MAIN_FILE))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Top-level entries of a metadata.json as text; empty if the file does not exist. */
    private static Map<String, String> readMetadataJson(Path file) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        JsonNode root;
        try {
            root = LENIENT_JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new DatasetException(file + ": not valid JSON (" + D4rlHdf5.describe(e) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new DatasetException(file + ": expected a JSON object of dataset metadata");
        }
        root.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                return;
            }
            out.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
        });
        return out;
    }

    /** Episode row ranges {first, last} of the flat table, checking that each episode's observations chain up. */
    private static List<int[]> episodes(OfflineDataset d, Path target) {
        int n = d.size(), s = d.observationDim();
        float[] obs = d.observations(), next = d.nextObservations();
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            boolean end = d.terminals()[i] || d.timeouts()[i] || i == n - 1;
            if (!end && !Arrays.equals(next, i * s, (i + 1) * s, obs, (i + 1) * s, (i + 2) * s)) {
                throw new DatasetException("cannot write " + target + " in the Minari layout: row " + i
                        + "'s next_observations differ from row " + (i + 1) + "'s observations although no terminal or "
                        + "timeout separates them (Minari stores an episode's observations once, T + 1 rows)");
            }
            if (end) {
                out.add(new int[] {start, i});
                start = i + 1;
            }
        }
        return out;
    }

    private static void writeContent(OfflineDataset d, List<int[]> episodes, Path temporary) {
        int s = d.observationDim(), a = d.actionDim();
        try (WritableHdfFile hdf = HdfFile.write(temporary)) {
            new TreeMap<>(d.metadata()).forEach((k, v) -> {
                if (!GENERATED_KEYS.contains(k)) {
                    hdf.putAttribute(k, v);
                }
            });
            hdf.putAttribute("total_episodes", (long) episodes.size());
            hdf.putAttribute("total_steps", (long) d.size());
            for (int e = 0; e < episodes.size(); e++) {
                int first = episodes.get(e)[0], last = episodes.get(e)[1], t = last - first + 1;
                float[] obs = new float[(t + 1) * s];
                System.arraycopy(d.observations(), first * s, obs, 0, t * s);
                System.arraycopy(d.nextObservations(), last * s, obs, t * s, s);
                WritableGroup g = hdf.putGroup("episode_" + e);
                g.putAttribute("id", (long) e);
                g.putAttribute("total_steps", (long) t);
                g.putDataset("observations", D4rlHdf5.rows(obs, t + 1, s), D4rlHdf5.floats(t + 1, s));
                g.putDataset("actions", D4rlHdf5.rows(Arrays.copyOfRange(d.actions(), first * a, (last + 1) * a), t, a),
                        D4rlHdf5.floats(t, a));
                g.putDataset("rewards", Arrays.copyOfRange(d.rewards(), first, last + 1), D4rlHdf5.floats(t, 0));
                g.putDataset("terminations", D4rlHdf5.bytes(Arrays.copyOfRange(d.terminals(), first, last + 1)),
                        D4rlHdf5.flags(t));
                g.putDataset("truncations", D4rlHdf5.bytes(Arrays.copyOfRange(d.timeouts(), first, last + 1)),
                        D4rlHdf5.flags(t));
            }
        }
    }

    /** Re-opens the written file and checks every episode's entries and shapes (jhdf's writer is young). */
    private static void verifyStructure(OfflineDataset d, List<int[]> episodes, Path temporary) {
        String problem = null;
        try (HdfFile hdf = new HdfFile(temporary)) {
            Map<String, Node> root = hdf.getChildren();
            if (root.size() != episodes.size()) {
                problem = root.size() + " root entries for " + episodes.size() + " episodes";
            }
            for (int e = 0; e < episodes.size() && problem == null; e++) {
                int t = episodes.get(e)[1] - episodes.get(e)[0] + 1;
                Map<String, int[]> shapes = Map.of("observations", new int[] {t + 1, d.observationDim()},
                        "actions", new int[] {t, d.actionDim()}, "rewards", new int[] {t}, "terminations", new int[] {t},
                        "truncations", new int[] {t});
                if (!(root.get("episode_" + e) instanceof Group g)) {
                    problem = "'episode_" + e + "' missing";
                    break;
                }
                Map<String, Node> children = g.getChildren();
                for (Map.Entry<String, int[]> f : shapes.entrySet()) {
                    if (!(children.get(f.getKey()) instanceof Dataset ds) || !Arrays.equals(ds.getDimensions(), f.getValue())) {
                        problem = "'episode_" + e + "/" + f.getKey() + "' missing or misshapen";
                    }
                }
            }
        } catch (RuntimeException e) {
            problem = D4rlHdf5.describe(e);
        }
        if (problem != null) {
            throw new DatasetException("jhdf wrote a file that does not read back (" + problem + ")");
        }
    }

    private static String metadataJson(OfflineDataset d, int episodeCount) {
        Map<String, Object> m = new TreeMap<>();
        d.metadata().forEach((k, v) -> {
            if (!GENERATED_KEYS.contains(k)) {
                m.put(k, v);
            }
        });
        String env = d.metadata().getOrDefault("env", "dataset").replaceAll("[^-_A-Za-z0-9]", "_");
        m.putIfAbsent("dataset_id", "fulcrum/" + (env.isEmpty() ? "dataset" : env) + "-v0");
        m.putIfAbsent("minari_version", DEFAULT_MINARI_VERSION);
        m.put("data_format", "hdf5");
        m.put("total_episodes", episodeCount);
        m.put("total_steps", d.size());
        m.put("observation_space", unboundedBox(d.observationDim()));
        m.put("action_space", unboundedBox(d.actionDim()));
        return Json.pretty(m) + "\n";
    }

    /** Minari's serialisation of {@code Box(-inf, inf, (width,), float32)}; Python's json reads Infinity. */
    static String unboundedBox(int width) {
        StringJoiner low = new StringJoiner(", ", "[", "]"), high = new StringJoiner(", ", "[", "]");
        for (int i = 0; i < width; i++) {
            low.add("-Infinity");
            high.add("Infinity");
        }
        return "{\"type\": \"Box\", \"dtype\": \"float32\", \"shape\": [" + width + "], \"low\": " + low + ", \"high\": "
                + high + "}";
    }

    /** Reads the episodes of one open file in two passes: shapes (all checked first), then data. */
    private static final class EpisodeReader {
        private final Path file;
        private final HdfFile hdf;
        private final D4rlHdf5.Reader arrays;
        private final Map<String, String> jsonMetadata;

        private record Episode(String name, int steps, Dataset observations, Dataset actions, Dataset rewards,
                               Dataset terminations, Dataset truncations) {
        }

        EpisodeReader(Path file, HdfFile hdf, Map<String, String> jsonMetadata) {
            this.file = file;
            this.hdf = hdf;
            this.arrays = new D4rlHdf5.Reader(file, hdf);
            this.jsonMetadata = jsonMetadata;
        }

        OfflineDataset read() {
            List<Group> groups = episodeGroups();
            List<Episode> episodes = new ArrayList<>();
            int s = -1, a = -1;
            long total = 0;
            for (Group g : groups) {
                Episode e = shape(g);
                int es = width(e.name() + "/observations", e.observations());
                int ea = width(e.name() + "/actions", e.actions());
                if (s < 0) {
                    s = es;
                    a = ea;
                } else if (es != s || ea != a) {
                    String field = es != s ? "observations" : "actions";
                    throw arrays.error("'" + e.name() + "/" + field + "' has width " + (es != s ? es : ea) + " but 'episode_0/"
                            + field + "' has " + (es != s ? s : a));
                }
                episodes.add(e);
                total += e.steps();
            }
            Map<String, String> meta = new TreeMap<>(Hdf5Metadata.read(hdf));
            meta.putAll(jsonMetadata);
            requireTotal(meta, "total_episodes", groups.size(), "episode groups");
            requireTotal(meta, "total_steps", total, "steps in its episodes");
            if (total == 0) {
                throw arrays.error("no transitions: all " + groups.size() + " episodes have 0 steps");
            }
            if (total > Integer.MAX_VALUE / Math.max(s, a)) {
                throw arrays.error("too many steps to hold in memory: " + total);
            }
            return assemble(episodes, (int) total, s, a, meta);
        }

        private OfflineDataset assemble(List<Episode> episodes, int n, int s, int a, Map<String, String> meta) {
            float[] obs = new float[n * s], next = new float[n * s], act = new float[n * a], rew = new float[n];
            boolean[] term = new boolean[n], tout = new boolean[n];
            int lastNonEmpty = -1;
            for (int i = 0; i < episodes.size(); i++) {
                lastNonEmpty = episodes.get(i).steps() > 0 ? i : lastNonEmpty;
            }
            int row = 0;
            for (int i = 0; i < episodes.size(); i++) {
                Episode e = episodes.get(i);
                int t = e.steps();
                if (t == 0) {
                    continue;
                }
                float[] o = arrays.floats(e.name() + "/observations", e.observations(), s);
                System.arraycopy(o, 0, obs, row * s, t * s);
                System.arraycopy(o, s, next, row * s, t * s);
                System.arraycopy(arrays.floats(e.name() + "/actions", e.actions(), a), 0, act, row * a, t * a);
                System.arraycopy(arrays.floats(e.name() + "/rewards", e.rewards(), 1), 0, rew, row, t);
                System.arraycopy(arrays.flags(e.name() + "/terminations", e.terminations()), 0, term, row, t);
                System.arraycopy(arrays.flags(e.name() + "/truncations", e.truncations()), 0, tout, row, t);
                int end = row + t - 1;
                if (i != lastNonEmpty && !term[end] && !tout[end]) {
                    tout[end] = true; // the data cut this episode: keep it apart from the next one
                }
                row += t;
            }
            try {
                return new OfflineDataset(s, a, obs, act, rew, next, term, tout, meta);
            } catch (DatasetException e) { // the constructor's own checks; ours ran first, so this is a backstop
                throw arrays.error(e.getMessage());
            }
        }

        /** The episode groups, ordered by id, checked to run 0 .. E-1 without gaps. */
        private List<Group> episodeGroups() {
            Map<String, Node> children = hdf.getChildren();
            TreeMap<Integer, Node> byId = new TreeMap<>();
            for (Map.Entry<String, Node> c : children.entrySet()) {
                Matcher m = EPISODE.matcher(c.getKey());
                if (m.matches()) {
                    byId.put(Integer.parseInt(m.group(1)), c.getValue());
                }
            }
            if (byId.isEmpty()) {
                throw arrays.error("no episode groups (episode_0, episode_1, ...) in the root group (found: "
                        + (children.isEmpty() ? "nothing" : String.join(", ", new TreeMap<>(children).keySet()))
                        + "); is this a D4RL-layout file?");
            }
            List<Group> out = new ArrayList<>();
            int expected = 0;
            for (Map.Entry<Integer, Node> e : byId.entrySet()) {
                if (e.getKey() != expected) {
                    throw arrays.error("'episode_" + expected + "' is missing: episode ids must run from 0 without gaps (found "
                            + byId.size() + " episode groups, the highest 'episode_" + byId.lastKey() + "')");
                }
                if (!(e.getValue() instanceof Group g)) {
                    throw arrays.error("'episode_" + expected + "' is a dataset, expected an episode group");
                }
                out.add(g);
                expected++;
            }
            return out;
        }

        /** An episode's datasets, with row counts checked: T actions, rewards and flags, T + 1 observations. */
        private Episode shape(Group g) {
            String name = g.getName();
            Dataset obs = member(g, "observations"), act = member(g, "actions"), rew = member(g, "rewards");
            Dataset term = member(g, "terminations"), trunc = member(g, "truncations");
            if (act.getDimensions().length == 0) {
                throw arrays.error("'" + name + "/actions' is a scalar, expected one row per step");
            }
            int t = act.getDimensions()[0];
            int obsRows = obs.getDimensions().length == 0 ? 1 : obs.getDimensions()[0];
            if (obs.getDimensions().length == 0 || obsRows != t + 1) {
                throw arrays.error("'" + name + "/observations' has " + (obs.getDimensions().length == 0 ? "no rows (a scalar)"
                        : obsRows + " rows") + ", expected " + (t + 1) + " (T + 1: the reset observation and one after each of "
                        + "the T = " + t + " steps in '" + name + "/actions')");
            }
            for (Dataset ds : List.of(rew, term, trunc)) {
                String key = name + "/" + ds.getName();
                arrays.requireSingleColumn(key, ds);
                if (arrays.rows(ds) != t) {
                    throw arrays.error("'" + key + "' has " + arrays.rows(ds) + " rows but '" + name + "/actions' has " + t
                            + " (one per step)");
                }
            }
            return new Episode(name, t, obs, act, rew, term, trunc);
        }

        private Dataset member(Group g, String key) {
            String path = g.getName() + "/" + key;
            Map<String, Node> children = g.getChildren();
            Node node = children.get(key);
            if (node == null) {
                throw arrays.error("required dataset '" + path + "' is missing (found: "
                        + (children.isEmpty() ? "nothing" : String.join(", ", new TreeMap<>(children).keySet())) + ")");
            }
            if (node instanceof Dataset ds) {
                return ds;
            }
            if (node instanceof Group && (key.equals("observations") || key.equals("actions"))) {
                throw arrays.error("'" + path + "' is a group (a Dict or Tuple space); only Box spaces stored as one array "
                        + "are supported");
            }
            throw arrays.error("'" + path + "' is a " + (node instanceof Group ? "group" : node.getType().toString()
                    .toLowerCase(Locale.ROOT)) + ", expected a dataset");
        }

        /** Columns of a (rows, d1, d2, ...) dataset: d1*d2*... (1 for a one-dimensional dataset). */
        private int width(String key, Dataset ds) {
            int[] dims = ds.getDimensions();
            long w = 1;
            for (int i = 1; i < dims.length; i++) {
                w *= dims[i];
            }
            if (w < 1 || w > Integer.MAX_VALUE) {
                throw arrays.error("'" + key + "' has shape " + D4rlHdf5.Reader.shape(dims) + ": no columns");
            }
            return (int) w;
        }

        private void requireTotal(Map<String, String> meta, String key, long actual, String what) {
            String v = meta.get(key);
            if (v == null) {
                return;
            }
            long declared;
            try {
                declared = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                throw arrays.error("metadata '" + key + "' is '" + v + "', expected an integer");
            }
            if (declared != actual) {
                throw arrays.error("metadata says " + key + " = " + declared + " but the file has " + actual + " " + what);
            }
        }
    }
}
