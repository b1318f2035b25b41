package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * h5py reads what we write the way Minari does: the metadata.json fields MinariStorage.read and MinariDataset need
 * (data_format, total counts, Box spaces through json.loads, dataset_id, minari_version), and each episode group as
 * HDF5Storage.get_episodes reads it ({@code ep_group[key][()]} / {@code [:]}). Runs where Debian's
 * {@code /usr/bin/python3} has h5py; skipped elsewhere.
 */
class MinariHdf5H5pyTest {
    private static final String DUMP = """
            import json, sys
            import h5py, numpy as np
            data = sys.argv[1]
            with open(data + "/metadata.json") as f:
                meta = json.load(f)
            out = {"total_episodes": meta["total_episodes"], "total_steps": meta["total_steps"],
                   "data_format": meta["data_format"], "dataset_id": meta["dataset_id"],
                   "minari_version": meta["minari_version"], "episodes": []}
            for key in ("observation_space", "action_space"):
                space = json.loads(meta[key])
                low, high = np.array(space["low"]), np.array(space["high"])
                out[key] = {"type": space["type"], "dtype": space["dtype"], "shape": space["shape"],
                            "unbounded": bool(np.all(np.isneginf(low)) and np.all(np.isposinf(high)))}
            with h5py.File(data + "/main_data.hdf5", "r") as f:
                out["keys"] = sorted(f.keys())
                for i in range(meta["total_episodes"]):
                    g = f[f"episode_{i}"]
                    ep = {"id": int(g.attrs["id"]), "total_steps": int(g.attrs["total_steps"])}
                    ep["observations"] = g["observations"][()].astype(np.float64).tolist()
                    ep["actions"] = g["actions"][()].astype(np.float64).tolist()
                    for k in ("rewards", "terminations", "truncations"):
                        v = g[k][:]
                        ep[k] = (v.astype(bool) if k != "rewards" else v.astype(np.float64)).tolist()
                    out["episodes"].append(ep)
            print(json.dumps(out))
            """;

    @TempDir
    Path dir;

    @Test
    void h5pyReadsOurEpisodesAsMinariDoes() throws Exception {
        assumeTrue(D4rlHdf5H5pyTest.h5pyAvailable(), "Debian python3 with h5py not installed");
        OfflineDataset d = MinariHdf5Test.episodic(60, 3, 2, 5, Map.of("env", "pointgoal"));
        Path target = dir.resolve("ds");
        MinariHdf5.write(d, target);
        JsonNode j = dump(target.resolve("data"));

        assertEquals(d.episodeCount(), j.get("total_episodes").asInt());
        assertEquals(60, j.get("total_steps").asInt());
        assertEquals("hdf5", j.get("data_format").asText());
        assertEquals("fulcrum/pointgoal-v0", j.get("dataset_id").asText());
        assertEquals(MinariHdf5.DEFAULT_MINARI_VERSION, j.get("minari_version").asText());
        for (String space : new String[] {"observation_space", "action_space"}) {
            JsonNode sp = j.get(space);
            assertEquals("Box", sp.get("type").asText());
            assertEquals("float32", sp.get("dtype").asText());
            assertEquals(space.startsWith("obs") ? 3 : 2, sp.get("shape").get(0).asInt());
            assertTrue(sp.get("unbounded").asBoolean());
        }
        assertEquals(d.episodeCount(), j.get("keys").size(), "only episode groups at the root");

        // rebuild the flat table from what h5py saw, exactly as the Minari reader documents it
        int row = 0;
        for (JsonNode ep : j.get("episodes")) {
            int t = ep.get("total_steps").asInt();
            assertEquals(t + 1, ep.get("observations").size(), "T + 1 observations");
            for (int k = 0; k < t; k++, row++) {
                assertArrayEquals(slice(d.observations(), row, 3), floats(ep.get("observations").get(k)));
                assertArrayEquals(slice(d.nextObservations(), row, 3), floats(ep.get("observations").get(k + 1)));
                assertArrayEquals(slice(d.actions(), row, 2), floats(ep.get("actions").get(k)));
                assertEquals(d.rewards()[row], (float) ep.get("rewards").get(k).asDouble());
                assertEquals(d.terminals()[row], ep.get("terminations").get(k).asBoolean());
                assertEquals(d.timeouts()[row], ep.get("truncations").get(k).asBoolean());
            }
        }
        assertEquals(60, row);
    }

    private static float[] slice(float[] flat, int row, int width) {
        float[] out = new float[width];
        System.arraycopy(flat, row * width, out, 0, width);
        return out;
    }

    private static float[] floats(JsonNode list) {
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            double v = list.get(i).asDouble();
            out[i] = (float) v;
            assertEquals(v, out[i], 0.0, "float32 values");
        }
        return out;
    }

    private JsonNode dump(Path data) throws Exception {
        Path script = dir.resolve("dump.py");
        Files.writeString(script, DUMP);
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), data.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
        return new ObjectMapper().readTree(out.strip().lines().reduce((x, y) -> y).orElseThrow());
    }
}
