package dev.fulcrum.control.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The experience of an online or offline-to-online run: raw transitions (environment units, as the environment applied
 * and returned them) in a fixed-capacity ring, first in, first out.
 *
 * <p>Row {@code g} of the stream (the {@code g}-th row ever added, from 0) lives in slot {@code g mod capacity}; the buffer
 * holds rows {@code [added - size, added)}. It can be pre-filled with an {@link OfflineDataset} ({@link #addAll}) and then
 * appended to one environment step at a time ({@link #add}). As in {@link OfflineDataset}, {@code terminal} (a true end:
 * no bootstrapping) and {@code timeout} (a time-limit cut: bootstrapping continues) are kept apart; only terminals make
 * a minibatch's {@code dones} 1. Minibatches are drawn uniformly with replacement from every row held, with the caller's
 * {@link Rng}, and preprocessed on the way out by the run's fixed {@link Preprocessor}.
 */
public final class ReplayBuffer {
    private final int observationDim, actionDim, capacity;
    private final float[] observations, actions, rewards, nextObservations;
    private final boolean[] terminals, timeouts;
    private long added;

    public ReplayBuffer(int observationDim, int actionDim, int capacity) {
        if (observationDim <= 0 || actionDim <= 0) {
            throw new IllegalArgumentException("replay buffer widths must be positive, got " + observationDim + " and " + actionDim);
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("replay buffer capacity must be positive, got " + capacity);
        }
        this.observationDim = observationDim;
        this.actionDim = actionDim;
        this.capacity = capacity;
        observations = new float[Math.multiplyExact(capacity, observationDim)];
        nextObservations = new float[observations.length];
        actions = new float[Math.multiplyExact(capacity, actionDim)];
        rewards = new float[capacity];
        terminals = new boolean[capacity];
        timeouts = new boolean[capacity];
    }

    public int capacity() {
        return capacity;
    }

    /** Rows held now: {@code min(added, capacity)}. */
    public int size() {
        return (int) Math.min(added, capacity);
    }

    /** Rows ever added; the stream index of the next row. */
    public long added() {
        return added;
    }

    /** The stream index of the oldest row held. */
    public long oldest() {
        return added - size();
    }

    /**
     * Appends one transition, evicting the oldest row when full.
     *
     * @throws IllegalArgumentException on a wrong width, a non-finite value, or a row that is both terminal and timeout
     */
    public void add(float[] observation, float[] action, double reward, float[] nextObservation, boolean terminal,
                    boolean timeout) {
        requireWidth("observation", observation, observationDim);
        requireWidth("action", action, actionDim);
        requireWidth("next observation", nextObservation, observationDim);
        if (terminal && timeout) {
            throw new IllegalArgumentException("a transition is either terminal or a timeout, not both (row " + added + ")");
        }
        float r = (float) reward;
        if (!Float.isFinite(r)) {
            throw new IllegalArgumentException("reward of row " + added + " is " + reward + " (must be finite)");
        }
        put(added, observation, 0, action, 0, r, nextObservation, 0, terminal, timeout);
        added++;
    }

    private void requireWidth(String field, float[] values, int width) {
        if (values.length != width) {
            throw new IllegalArgumentException(field + " of row " + added + " has " + values.length + " values, expected " + width);
        }
        for (int j = 0; j < width; j++) {
            if (!Float.isFinite(values[j])) {
                throw new IllegalArgumentException(field + " of row " + added + " column " + j + " is " + values[j]
                        + " (must be finite)");
            }
        }
    }

    /** Appends every row of {@code data} in order (a pre-fill); with more rows than capacity only the newest stay. */
    public void addAll(OfflineDataset data) {
        if (data.observationDim() != observationDim || data.actionDim() != actionDim) {
            throw new IllegalArgumentException("dataset rows are " + data.observationDim() + "/" + data.actionDim()
                    + " wide, the replay buffer's " + observationDim + "/" + actionDim);
        }
        for (int i = 0; i < data.size(); i++) {
            put(added, data.observations(), i * observationDim, data.actions(), i * actionDim, data.rewards()[i],
                    data.nextObservations(), i * observationDim, data.terminals()[i], data.timeouts()[i]);
            added++;
        }
    }

    private void put(long row, float[] obs, int obsOffset, float[] act, int actOffset, float reward, float[] next,
                     int nextOffset, boolean terminal, boolean timeout) {
        int slot = (int) (row % capacity);
        System.arraycopy(obs, obsOffset, observations, slot * observationDim, observationDim);
        System.arraycopy(act, actOffset, actions, slot * actionDim, actionDim);
        System.arraycopy(next, nextOffset, nextObservations, slot * observationDim, observationDim);
        rewards[slot] = reward;
        terminals[slot] = terminal;
        timeouts[slot] = timeout;
    }

    /**
     * Draws {@code batchSize} rows uniformly with replacement from the rows held, preprocessed by {@code pre} exactly as
     * {@link TransitionTable} preprocesses a dataset; tensors are created in {@code manager}.
     */
    public Batch sample(Rng rng, int batchSize, Preprocessor pre, NDManager manager, DataType dtype) {
        if (added == 0) {
            throw new IllegalStateException("cannot sample from an empty replay buffer");
        }
        int[] slots = rng.indices(batchSize, size()); // every slot below size() holds a row
        int b = batchSize;
        float[] o = new float[b * observationDim], no = new float[b * observationDim], a = new float[b * actionDim];
        float[] r = new float[b], d = new float[b];
        for (int k = 0; k < b; k++) {
            int i = slots[k];
            pre.normaliseObservationInto(observations, i * observationDim, o, k * observationDim);
            pre.normaliseObservationInto(nextObservations, i * observationDim, no, k * observationDim);
            for (int j = 0; j < actionDim; j++) {
                a[k * actionDim + j] = Math.max(-1f, Math.min(1f, actions[i * actionDim + j] / pre.actionHigh()));
            }
            r[k] = pre.shapeReward(rewards[i]);
            d[k] = terminals[i] ? 1f : 0f;
        }
        return new Batch(tensor(manager, o, dtype, b, observationDim), tensor(manager, a, dtype, b, actionDim),
                tensor(manager, r, dtype, b), tensor(manager, no, dtype, b, observationDim), tensor(manager, d, dtype, b));
    }

    private static NDArray tensor(NDManager m, float[] data, DataType dtype, long... shape) {
        NDArray a = m.create(data, new Shape(shape));
        return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
    }

    /**
     * Rows {@code [from, to)} of the stream, oldest first, as a dataset in the D4RL layout. When the slice ends inside an
     * episode its last row is marked as a timeout, so that every episode boundary stays explicit (as {@link Collector}
     * does when its budget cuts an episode).
     *
     * @throws IllegalArgumentException if the range is empty or reaches rows no longer (or not yet) held
     */
    public OfflineDataset rows(long from, long to, Map<String, String> metadata) {
        if (from < oldest() || to > added || from >= to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") are not held; the buffer holds ["
                    + oldest() + ", " + added + ")");
        }
        int n = Math.toIntExact(to - from);
        float[] obs = new float[n * observationDim], next = new float[n * observationDim], act = new float[n * actionDim];
        float[] rew = new float[n];
        boolean[] term = new boolean[n], time = new boolean[n];
        for (int k = 0; k < n; k++) {
            int slot = (int) ((from + k) % capacity);
            System.arraycopy(observations, slot * observationDim, obs, k * observationDim, observationDim);
            System.arraycopy(nextObservations, slot * observationDim, next, k * observationDim, observationDim);
            System.arraycopy(actions, slot * actionDim, act, k * actionDim, actionDim);
            rew[k] = rewards[slot];
            term[k] = terminals[slot];
            time[k] = timeouts[slot];
        }
        if (!term[n - 1]) {
            time[n - 1] = true;
        }
        return new OfflineDataset(observationDim, actionDim, obs, act, rew, next, term, time, metadata);
    }

    /**
     * The rows from stream index {@code from} on (or from the oldest held, if later) as checkpoint tensors named
     * {@code prefix.observations} etc., plus metadata saying where they belong. A run whose buffer starts with a dataset
     * saves only what it added after it ({@code from} = the dataset's size) and re-adds the dataset on resume.
     */
    public void saveState(String prefix, long from, NDManager scratch, Map<String, NDArray> tensors, Map<String, String> metadata) {
        long first = Math.max(from, oldest());
        int n = (int) Math.max(0, added - first);
        metadata.put(prefix + ".capacity", Integer.toString(capacity));
        metadata.put(prefix + ".added", Long.toString(added));
        metadata.put(prefix + ".first", Long.toString(first));
        metadata.put(prefix + ".rows", Integer.toString(n));
        if (n == 0) {
            return;
        }
        OfflineDataset d = rows(first, added, Map.of());
        boolean[] timeoutsAsSaved = d.timeouts();
        int lastSlot = (int) ((added - 1) % capacity);
        timeoutsAsSaved[n - 1] = timeouts[lastSlot]; // undo rows()'s boundary mark: the state is saved as it is
        tensors.put(prefix + ".observations", scratch.create(d.observations(), new Shape(n, observationDim)));
        tensors.put(prefix + ".actions", scratch.create(d.actions(), new Shape(n, actionDim)));
        tensors.put(prefix + ".rewards", scratch.create(d.rewards(), new Shape(n)));
        tensors.put(prefix + ".next_observations", scratch.create(d.nextObservations(), new Shape(n, observationDim)));
        tensors.put(prefix + ".terminals", scratch.create(d.terminals()));
        tensors.put(prefix + ".timeouts", scratch.create(timeoutsAsSaved));
    }

    /**
     * Puts back rows saved by {@link #saveState} at their stream positions. The buffer must already hold what came before
     * them (for a run that began with a dataset: the same dataset, re-added), unless the saved rows fill it completely.
     *
     * @throws IllegalArgumentException if the checkpoint's buffer does not fit this one
     */
    public void restoreState(String prefix, Checkpoint c) {
        Map<String, String> meta = c.metadata();
        String capacityText = meta.get(prefix + ".capacity");
        if (capacityText == null) {
            throw new IllegalArgumentException("checkpoint has no replay buffer '" + prefix + "'");
        }
        if (Integer.parseInt(capacityText) != capacity) {
            throw new IllegalArgumentException("checkpoint replay buffer has capacity " + capacityText + ", this run's has " + capacity);
        }
        long savedAdded = Long.parseLong(meta.get(prefix + ".added"));
        long first = Long.parseLong(meta.get(prefix + ".first"));
        int n = Integer.parseInt(meta.get(prefix + ".rows"));
        long heldFrom = Math.max(0, savedAdded - capacity);
        if (first > added && first > heldFrom) {
            throw new IllegalArgumentException("checkpoint replay rows start at " + first + " but this buffer holds only "
                    + added + " rows before them");
        }
        if (n == 0) {
            if (added != savedAdded) {
                throw new IllegalArgumentException("checkpoint replay buffer had " + savedAdded + " rows, this one has " + added);
            }
            return;
        }
        if (first + n != savedAdded) {
            throw new IllegalArgumentException("checkpoint replay buffer is inconsistent: " + n + " rows from " + first
                    + " do not end at " + savedAdded);
        }
        float[] obs = c.tensors().get(prefix + ".observations").toFloatArray();
        float[] act = c.tensors().get(prefix + ".actions").toFloatArray();
        float[] rew = c.tensors().get(prefix + ".rewards").toFloatArray();
        float[] next = c.tensors().get(prefix + ".next_observations").toFloatArray();
        boolean[] term = c.tensors().get(prefix + ".terminals").toBooleanArray();
        boolean[] time = c.tensors().get(prefix + ".timeouts").toBooleanArray();
        if (obs.length != (long) n * observationDim || act.length != (long) n * actionDim) {
            throw new IllegalArgumentException("checkpoint replay rows are not " + observationDim + "/" + actionDim + " wide");
        }
        for (int k = 0; k < n; k++) {
            put(first + k, obs, k * observationDim, act, k * actionDim, rew[k], next, k * observationDim, term[k], time[k]);
        }
        added = savedAdded;
    }
}
