package dev.fulcrum.control.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A flat table of transitions in the D4RL layout, held in row-major float arrays (row i of observations is
 * {@code observations[i*observationDim .. (i+1)*observationDim)}).
 *
 * <p>{@code terminals[i]} marks a true terminal state after transition i (no bootstrapping); {@code timeouts[i]} marks an
 * episode cut by the time limit after transition i (bootstrapping continues in the value target). Every transition has a
 * {@code nextObservations} row; readers of files without one reconstruct it from the following row within the episode.
 * {@code metadata} carries provenance (generator, seed, policy, env id, version) and is written as HDF5 attributes.
 * Construction validates shapes and finiteness and names the offending field and row.
 */
public record OfflineDataset(int observationDim, int actionDim, float[] observations, float[] actions, float[] rewards,
                             float[] nextObservations, boolean[] terminals, boolean[] timeouts, Map<String, String> metadata) {

    public OfflineDataset {
        int n = rewards.length;
        requireLength("observations", observations, (long) n * observationDim);
        requireLength("actions", actions, (long) n * actionDim);
        requireLength("next_observations", nextObservations, (long) n * observationDim);
        if (terminals.length != n) {
            throw new DatasetException("terminals has " + terminals.length + " rows, rewards has " + n);
        }
        if (timeouts.length != n) {
            throw new DatasetException("timeouts has " + timeouts.length + " rows, rewards has " + n);
        }
        requireFinite("observations", observations, observationDim);
        requireFinite("actions", actions, actionDim);
        requireFinite("rewards", rewards, 1);
        requireFinite("next_observations", nextObservations, observationDim);
        metadata = Map.copyOf(new LinkedHashMap<>(metadata));
    }

    private static void requireLength(String field, float[] a, long expected) {
        if (a.length != expected) {
            throw new DatasetException(field + " has " + a.length + " values, expected " + expected);
        }
    }

    private static void requireFinite(String field, float[] a, int width) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                throw new DatasetException(field + " row " + (i / width) + " column " + (i % width) + " is " + a[i]
                        + " (datasets must be finite)");
            }
        }
    }

    public int size() {
        return rewards.length;
    }

    /** Number of episodes: ends are marked by a terminal or a timeout; a trailing unfinished episode counts too. */
    public int episodeCount() {
        int count = 0;
        for (int i = 0; i < size(); i++) {
            if (terminals[i] || timeouts[i]) {
                count++;
            }
        }
        if (size() > 0 && !(terminals[size() - 1] || timeouts[size() - 1])) {
            count++;
        }
        return count;
    }

    /** Returns of complete and trailing episodes, in order. */
    public double[] episodeReturns() {
        double[] returns = new double[episodeCount()];
        int e = 0;
        double acc = 0;
        for (int i = 0; i < size(); i++) {
            acc += rewards[i];
            if (terminals[i] || timeouts[i] || i == size() - 1) {
                returns[e++] = acc;
                acc = 0;
            }
        }
        return returns;
    }
}
