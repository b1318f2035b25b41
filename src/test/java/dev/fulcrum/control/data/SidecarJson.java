package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON sidecars that the fixture scripts (make_d4rl_fixtures.py, make_minari_fixtures.py) write beside each good
 * HDF5 file: the arrays h5py wrote, as float32-exact doubles and booleans, and the metadata. A decoded dataset must
 * equal its sidecar exactly.
 */
final class SidecarJson {
    private SidecarJson() {
    }

    static JsonNode read(Path sidecar) throws IOException {
        return new ObjectMapper().readTree(sidecar.toFile());
    }

    /** Asserts rows, dimensions and every array of {@code d} equal the sidecar's; returns the sidecar's metadata. */
    static Map<String, String> assertArraysMatch(OfflineDataset d, JsonNode j) {
        int n = j.get("rows").asInt(), s = j.get("observation_dim").asInt(), a = j.get("action_dim").asInt();
        assertEquals(n, d.size(), "rows");
        assertEquals(s, d.observationDim());
        assertEquals(a, d.actionDim());
        assertArrayEquals(floats(j.get("observations"), n * s), d.observations(), "observations");
        assertArrayEquals(floats(j.get("actions"), n * a), d.actions(), "actions");
        assertArrayEquals(floats(j.get("rewards"), n), d.rewards(), "rewards");
        assertArrayEquals(floats(j.get("next_observations"), n * s), d.nextObservations(), "next_observations");
        assertArrayEquals(booleans(j.get("terminals")), d.terminals(), "terminals");
        assertArrayEquals(booleans(j.get("timeouts")), d.timeouts(), "timeouts");
        Map<String, String> metadata = new TreeMap<>();
        j.get("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
        return metadata;
    }

    /** Nested JSON lists of float32-exact doubles, flattened row-major. */
    static float[] floats(JsonNode rows, int count) {
        float[] out = new float[count];
        int k = 0;
        for (JsonNode row : rows) {
            if (row.isArray()) {
                for (JsonNode v : row) {
                    out[k++] = exactFloat(v.asDouble());
                }
            } else {
                out[k++] = exactFloat(row.asDouble());
            }
        }
        assertEquals(count, k, "sidecar size");
        return out;
    }

    private static float exactFloat(double v) {
        float f = (float) v;
        assertEquals(v, f, 0.0, "sidecar value is float32-exact");
        return f;
    }

    static boolean[] booleans(JsonNode list) {
        boolean[] out = new boolean[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).asBoolean();
        }
        return out;
    }
}
