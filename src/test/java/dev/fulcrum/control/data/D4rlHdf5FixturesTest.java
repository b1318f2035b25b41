package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Files written by h5py (scripts/fixtures/make_d4rl_fixtures.py), read by us. Values follow the script's formulas:
 * observations[i, j] = i + 0.1 j, actions[i, j] = 0.1 (i mod 5) - 0.05 j, rewards[i] = 0.5 i.
 */
class D4rlHdf5FixturesTest {
    static Path fixture(String name) {
        try {
            return Path.of(D4rlHdf5FixturesTest.class.getResource("/fixtures/d4rl/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name, e);
        }
    }

    @Test
    void gzipBooleansNextObservationsMetadata() {
        OfflineDataset d = D4rlHdf5.read(fixture("gzip_bool_next.hdf5"));
        assertEquals(12, d.size());
        assertEquals(3, d.observationDim());
        assertEquals(2, d.actionDim());
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals((float) (i + 0.1 * j), d.observations()[i * 3 + j]);
                assertEquals((float) (i + 0.1 * j) + 1000f, d.nextObservations()[i * 3 + j]);
            }
            for (int j = 0; j < 2; j++) {
                assertEquals((float) (0.1 * (i % 5) - 0.05 * j), d.actions()[i * 2 + j]);
            }
            assertEquals(0.5f * i, d.rewards()[i]);
            assertEquals(i == 5, d.terminals()[i]);
            assertEquals(i == 11, d.timeouts()[i]);
        }
        assertEquals("h5py", d.metadata().get("source"));
        assertEquals("pendulum", d.metadata().get("env"));
    }

    /** No next_observations: rebuilt like d4rl.qlearning_dataset, dropping rows 3 and 9 (timeouts). */
    @Test
    void float64WithoutNextObservations() {
        OfflineDataset d = D4rlHdf5.read(fixture("float64_no_next.hdf5"));
        int[] kept = {0, 1, 2, 4, 5, 6, 7, 8};
        assertEquals(kept.length, d.size());
        assertEquals("2", d.metadata().get("rows_dropped"));
        for (int k = 0; k < kept.length; k++) {
            int i = kept[k];
            assertEquals((float) i, d.observations()[k * 3]);
            assertEquals((float) (i + 1), d.nextObservations()[k * 3], "successor of row " + i);
            assertEquals(0.5f * i, d.rewards()[k]);
            assertEquals(i == 6, d.terminals()[k]);
        }
        assertTrue(d.timeouts()[2] && d.timeouts()[7], "rows before a dropped timeout close their episodes");
        assertFalse(d.timeouts()[0]);
    }

    @Test
    void brokenFilesGiveOneLineErrors() {
        D4rlHdf5Test.assertMessage(fixture("missing_actions.hdf5"), "required dataset 'actions' is missing");
        D4rlHdf5Test.assertMessage(fixture("row_mismatch.hdf5"), "'actions' has 3 rows but 'observations' has 4");
        D4rlHdf5Test.assertMessage(fixture("nan_reward.hdf5"), "rewards row 2");
    }
}
