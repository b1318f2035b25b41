package dev.fulcrum.lm.train;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The order in which training examples are visited: epochs, each a fresh shuffle drawn from one {@link Rng}, cut into
 * batches (the last one of an epoch may be smaller). With length grouping (Hugging Face's {@code group_by_length}), each
 * epoch's shuffle is cut into mega-batches of {@value #MEGA_BATCHES} batches, every mega-batch is sorted by length and
 * cut into batches, and the batches are shuffled: batches hold examples of similar length, so padding wastes little,
 * while every batch is still a random draw.
 *
 * <p>Easy to hard (a curriculum, {@code dataOrder=easy-to-hard}): given each example's difficulty, every epoch's shuffle is
 * split by difficulty and the levels are visited easiest first, each batched as above on its own (no batch mixes two
 * levels).
 *
 * <p>Checkpointable: the state is the generator's state at the start of the current epoch and the position in it;
 * restoring replans the epoch from that state, so a resumed run visits exactly the batches an uninterrupted one does.
 */
final class BatchPlan {
    static final int MEGA_BATCHES = 16;
    private static final String RNG = "batches";
    private final int[] lengths;
    private final int batchSize;
    private final boolean grouped;
    private final Rng rng;
    /** Difficulty per example (easy-to-hard order), or null (shuffled). */
    private final int[] difficulty;
    private Rng.State epochStart;
    private long epoch;
    private int[][] batches;
    private int position;

    BatchPlan(int[] lengths, int batchSize, boolean grouped, Rng rng) {
        this(lengths, batchSize, grouped, rng, null);
    }

    /** With {@code difficulty} (one per example) the epochs run easy to hard; null: shuffled. */
    BatchPlan(int[] lengths, int batchSize, boolean grouped, Rng rng, int[] difficulty) {
        if (difficulty != null && difficulty.length != lengths.length) {
            throw new IllegalArgumentException(lengths.length + " examples but " + difficulty.length + " difficulties");
        }
        this.difficulty = difficulty == null ? null : difficulty.clone();
        if (lengths.length == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        this.lengths = lengths.clone();
        this.batchSize = batchSize;
        this.grouped = grouped;
        this.rng = rng;
        startEpoch();
    }

    /** The examples of the next batch. */
    int[] next() {
        if (position == batches.length) {
            startEpoch();
        }
        return batches[position++];
    }

    /** Completed epochs plus the share of the current one done. */
    double epochs() {
        return epoch - 1 + (double) position / batches.length;
    }

    private void startEpoch() {
        epochStart = rng.state();
        epoch++;
        batches = plan();
        position = 0;
    }

    private int[][] plan() {
        int[] order = rng.permutation(lengths.length);
        if (difficulty == null) {
            return batches(order).toArray(int[][]::new);
        }
        List<int[]> out = new ArrayList<>();
        for (int level : Arrays.stream(difficulty).distinct().sorted().toArray()) {
            out.addAll(batches(Arrays.stream(order).filter(i -> difficulty[i] == level).toArray()));
        }
        return out.toArray(int[][]::new);
    }

    /** The batches of one shuffled sequence of examples (length-grouped when asked). */
    private List<int[]> batches(int[] order) {
        List<int[]> out = new ArrayList<>();
        int chunk = grouped ? batchSize * MEGA_BATCHES : Math.max(1, order.length);
        for (int from = 0; from < order.length; from += chunk) {
            Integer[] mega = Arrays.stream(Arrays.copyOfRange(order, from, Math.min(order.length, from + chunk))).boxed()
                    .toArray(Integer[]::new);
            if (grouped) {
                Arrays.sort(mega, Comparator.comparingInt((Integer i) -> lengths[i]).reversed()); // stable: ties keep shuffle order
            }
            for (int b = 0; b < mega.length; b += batchSize) {
                out.add(Arrays.stream(mega, b, Math.min(mega.length, b + batchSize)).mapToInt(Integer::intValue).toArray());
            }
        }
        if (grouped) {
            int[] shuffle = rng.permutation(out.size());
            List<int[]> shuffled = new ArrayList<>(out.size());
            for (int i : shuffle) {
                shuffled.add(out.get(i));
            }
            out = shuffled;
        }
        return out;
    }

    /** Writes the plan's state into checkpoint metadata. */
    void save(Map<String, String> metadata) {
        Rng atEpochStart = new Rng(rng.seed());
        atEpochStart.restore(epochStart);
        Checkpoint.putRng(metadata, RNG, atEpochStart);
        metadata.put("batches.epoch", Long.toString(epoch));
        metadata.put("batches.position", Integer.toString(position));
    }

    /** Restores the state {@link #save} wrote. */
    void restore(Checkpoint c) {
        c.restoreRng(RNG, rng);
        String e = c.metadata().get("batches.epoch"), p = c.metadata().get("batches.position");
        if (e == null || p == null) {
            throw new IllegalArgumentException("checkpoint lacks the data order (batches.epoch, batches.position)");
        }
        epoch = Long.parseLong(e) - 1;
        startEpoch();
        position = Integer.parseInt(p);
        if (position > batches.length) {
            throw new IllegalArgumentException("checkpoint's batch position " + position + " exceeds the epoch's " + batches.length
                    + " batches: was the run's data changed?");
        }
    }
}
