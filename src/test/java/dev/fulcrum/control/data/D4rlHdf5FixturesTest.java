package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Files written by h5py (scripts/fixtures/make_d4rl_fixtures.py), read by us and compared exactly with the JSON sidecar
 * the script writes beside each good file: float32 values as the doubles they equal, booleans, metadata, and the number
 * of rows dropped when next_observations are rebuilt (computed there by an independent implementation of the rule).
 */
class D4rlHdf5FixturesTest {
    /** (a) float32, gzip/lzf + shuffle, h5py bool flags, next_observations, metadata of several kinds. */
    @Test
    void gzipBooleansNextObservationsMetadata() throws IOException {
        OfflineDataset d = D4rlHdf5.read(fixture("gzip_bool_next.hdf5"));
        assertMatchesSidecar(d, "gzip_bool_next.json");
        assertEquals("pendulum", d.metadata().get("env"), "metadata/ overrides a root attribute of the same name");
    }

    /** (b) float64, uncompressed, rewards (N, 1), uint8 timeouts mid-file, no next_observations: rebuilt. */
    @Test
    void float64WithoutNextObservations() throws IOException {
        OfflineDataset d = D4rlHdf5.read(fixture("float64_no_next.hdf5"));
        assertMatchesSidecar(d, "float64_no_next.json");
        assertEquals(D4rlHdf5.RECONSTRUCTED, d.metadata().get(D4rlHdf5.META_NEXT_OBSERVATIONS));
    }

    /** (c) broken files give one-line messages naming file and field. */
    @Test
    void brokenFiles() {
        D4rlHdf5Test.assertMessage(fixture("missing_actions.hdf5"),
                "required dataset 'actions' is missing (found: observations, rewards, terminals)");
        D4rlHdf5Test.assertMessage(fixture("row_mismatch.hdf5"), "'actions' has 3 rows but 'observations' has 4");
        D4rlHdf5Test.assertMessage(fixture("nan_reward.hdf5"), "'rewards' row 2 is NaN (values must be finite)");
        D4rlHdf5Test.assertMessage(fixture("empty_rows.hdf5"), "dataset is empty ('observations' has 0 rows)");
    }

    private static void assertMatchesSidecar(OfflineDataset d, String sidecar) throws IOException {
        JsonNode j = SidecarJson.read(fixture(sidecar));
        Map<String, String> expected = SidecarJson.assertArraysMatch(d, j);
        if (!j.get("rows_dropped").isNull()) {
            expected.put(D4rlHdf5.META_NEXT_OBSERVATIONS, D4rlHdf5.RECONSTRUCTED);
            expected.put(D4rlHdf5.META_ROWS_DROPPED, j.get("rows_dropped").asText());
        }
        assertEquals(expected, new TreeMap<>(d.metadata()), "metadata");
    }

    static Path fixture(String name) {
        try {
            return Path.of(D4rlHdf5FixturesTest.class.getResource("/fixtures/d4rl/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name + " (run scripts/fixtures/make_d4rl_fixtures.py)", e);
        }
    }
}
