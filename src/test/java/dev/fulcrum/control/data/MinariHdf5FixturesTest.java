package dev.fulcrum.control.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Minari-layout files written by h5py the way Minari's HDF5Storage writes them (scripts/fixtures/make_minari_fixtures.py),
 * read by us and compared exactly with the JSON sidecar the script computes independently; and broken files, each
 * refused with a one-line message naming the file, episode and field.
 */
class MinariHdf5FixturesTest {
    /** (a) Minari 0.5: metadata.json, float64 observations, bool flags, infos; terminated, truncated and cut episodes. */
    @Test
    void minari05DatasetDirectory() throws IOException {
        OfflineDataset d = MinariHdf5.read(fixture("v05"));
        assertMatchesSidecar(d, "v05.json");
        assertArrayEquals(new boolean[] {false, false, false, false, true, false, false, false, false, false, false, false},
                d.terminals(), "episode 0 terminated");
        assertArrayEquals(new boolean[] {false, false, false, false, false, false, false, false, true, false, false, false},
                d.timeouts(), "episode 1 truncated; the last episode, cut, stays unflagged");
        assertSameContent(d, MinariHdf5.read(fixture("v05/data")));
        assertSameContent(d, MinariHdf5.read(fixture("v05/data/main_data.hdf5")));
        assertEquals(DatasetFormat.MINARI, DatasetFormat.detect(fixture("v05/data/main_data.hdf5")));
    }

    /** (b) Minari 0.4: root attributes, (T+1, 2, 2) observations, (T,) actions, an empty and a cut middle episode. */
    @Test
    void minari04RootAttributesFlattenedShapes() throws IOException {
        OfflineDataset d = MinariHdf5.read(fixture("minari04.hdf5"));
        assertMatchesSidecar(d, "minari04.json");
        assertEquals(4, d.observationDim());
        assertEquals(1, d.actionDim());
        assertTrue(d.timeouts()[3], "the cut first episode is kept apart from the next with a timeout");
        assertEquals(3, d.episodeCount(), "the empty episode contributes no rows");
    }

    /** (c) broken files. */
    @Test
    void brokenFiles() {
        assertMessage("missing_truncations.hdf5",
                "required dataset 'episode_0/truncations' is missing (found: actions, observations, rewards, terminations)");
        assertMessage("observation_rows.hdf5", "'episode_1/observations' has 4 rows, expected 5 (T + 1: the reset "
                + "observation and one after each of the T = 4 steps in 'episode_1/actions')");
        assertMessage("episode_gap.hdf5", "'episode_1' is missing: episode ids must run from 0 without gaps (found 2 episode "
                + "groups, the highest 'episode_2')");
        assertMessage("dict_observations.hdf5", "'episode_0/observations' is a group (a Dict or Tuple space); only Box spaces "
                + "stored as one array are supported");
        assertMessage("width_mismatch.hdf5", "'episode_1/observations' has width 4 but 'episode_0/observations' has 3");
        assertMessage("reward_rows.hdf5", "'episode_0/rewards' has 3 rows but 'episode_0/actions' has 4 (one per step)");
        assertMessage("total_mismatch.hdf5", "metadata says total_episodes = 5 but the file has 2 episode groups");
    }

    private static void assertMessage(String name, String fragment) {
        Path file = fixture(name);
        String msg = assertThrows(DatasetException.class, () -> MinariHdf5.read(file)).getMessage();
        assertTrue(msg.contains(fragment), "expected '" + fragment + "' in: " + msg);
        assertTrue(msg.startsWith(file + ": "), "names the file first: " + msg);
        assertFalse(msg.contains("\n") || msg.contains("\r"), "one line: " + msg);
    }

    private static void assertSameContent(OfflineDataset a, OfflineDataset b) {
        MinariHdf5Test.assertSameArrays(a, b);
        assertEquals(new TreeMap<>(a.metadata()), new TreeMap<>(b.metadata()));
    }

    private static void assertMatchesSidecar(OfflineDataset d, String sidecar) throws IOException {
        Map<String, String> expected = SidecarJson.assertArraysMatch(d, SidecarJson.read(fixture(sidecar)));
        assertEquals(expected, new TreeMap<>(d.metadata()), "metadata");
    }

    static Path fixture(String name) {
        try {
            return Path.of(MinariHdf5FixturesTest.class.getResource("/fixtures/minari/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name + " (run scripts/fixtures/make_minari_fixtures.py)", e);
        }
    }
}
