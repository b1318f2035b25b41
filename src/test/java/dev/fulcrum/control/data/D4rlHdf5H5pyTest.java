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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * h5py reads what we write, exactly, the way D4RL's loaders use it. Runs where Debian's {@code /usr/bin/python3} has h5py
 * (.ci/run installs python3-h5py); skipped elsewhere.
 */
class D4rlHdf5H5pyTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** Dumps every D4RL field as h5py sees it: shape, dtype, filters, values (flags through astype(bool)), metadata. */
    private static final String DUMP = """
            import json, sys
            import h5py, numpy as np
            out = {}
            with h5py.File(sys.argv[1], "r") as f:
                out["keys"] = sorted(f.keys())
                for k in ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts"):
                    d = f[k]
                    v = d[:]
                    out[k] = {"shape": list(d.shape), "dtype": str(d.dtype), "compression": d.compression,
                              "shuffle": bool(d.shuffle),
                              "values": (v.astype(np.float64) if v.dtype.kind == "f" else v.astype(bool)).ravel().tolist()}
                out["metadata"] = {k: (v.decode("utf-8") if isinstance(v, bytes) else str(v))
                                   for k, v in f["metadata"].attrs.items()}
            print(json.dumps(out))
            """;

    @TempDir
    Path dir;

    @Test
    void h5pyReadsOurFilesExactly() throws Exception {
        assumeTrue(h5pyAvailable(), "Debian python3 with h5py not installed");
        int n = 700, s = 4, a = 2;
        OfflineDataset d = D4rlHdf5Test.synthetic(n, s, a, 11, Map.of("quality", "expert", "unicode", "héllo ✓",
                "empty", "", "policy/nonlinearity", "relu"));
        Path f = dir.resolve("ours.hdf5");
        D4rlHdf5.write(d, f);

        JsonNode j = dump(f);
        assertEquals(List.of("actions", "metadata", "next_observations", "observations", "rewards", "terminals", "timeouts"),
                new ObjectMapper().convertValue(j.get("keys"), List.class));
        checkFloats(j.get("observations"), List.of(n, s), d.observations());
        checkFloats(j.get("actions"), List.of(n, a), d.actions());
        checkFloats(j.get("rewards"), List.of(n), d.rewards());
        checkFloats(j.get("next_observations"), List.of(n, s), d.nextObservations());
        checkFlags(j.get("terminals"), d.terminals());
        checkFlags(j.get("timeouts"), d.timeouts());
        Map<String, String> meta = new TreeMap<>();
        j.get("metadata").properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
        assertEquals(new TreeMap<>(d.metadata()), meta);
    }

    private static void checkFloats(JsonNode field, List<Integer> shape, float[] expected) {
        assertEquals(shape, new ObjectMapper().convertValue(field.get("shape"), List.class));
        assertEquals("float32", field.get("dtype").asText());
        assertEquals("gzip", field.get("compression").asText());
        assertTrue(field.get("shuffle").asBoolean());
        float[] got = new float[field.get("values").size()];
        for (int i = 0; i < got.length; i++) {
            double v = field.get("values").get(i).asDouble();
            got[i] = (float) v;
            assertEquals(v, got[i], 0.0);
        }
        assertArrayEquals(expected, got);
    }

    private static void checkFlags(JsonNode field, boolean[] expected) {
        assertEquals(List.of(expected.length), new ObjectMapper().convertValue(field.get("shape"), List.class));
        assertEquals("uint8", field.get("dtype").asText());
        assertEquals("gzip", field.get("compression").asText());
        boolean[] got = new boolean[field.get("values").size()];
        for (int i = 0; i < got.length; i++) {
            got[i] = field.get("values").get(i).asBoolean();
        }
        assertArrayEquals(expected, got);
    }

    private JsonNode dump(Path file) throws Exception {
        Path script = dir.resolve("dump.py");
        Files.writeString(script, DUMP);
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
        return new ObjectMapper().readTree(out.strip().lines().reduce((x, y) -> y).orElseThrow());
    }

    static boolean h5pyAvailable() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import h5py, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
