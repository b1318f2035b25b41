package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the positions already processed, so that decoding one more token costs one
 * position's work instead of the whole sequence's. Buffers of shape {@code [batch, kvHeads, capacity, headDim]} are
 * allocated once; each forward writes its new positions in place and attends over a view of the filled prefix.
 *
 * <p>Inference only (no graph is recorded through the in-place writes). Close it to free the buffers.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDArray[][] derived;
    private final int batch;
    private final int capacity;
    private int length;

    public KvCache(NDManager parent, LmConfig config, int batch, int capacity, DataType dtype) {
        if (capacity > config.maxPositions()) {
            throw new IllegalArgumentException("KV cache capacity " + capacity + " exceeds the model's maxPositions "
                    + config.maxPositions());
        }
        this.manager = parent.newSubManager();
        this.batch = batch;
        this.capacity = capacity;
        this.keys = new NDArray[config.layers()];
        this.values = new NDArray[config.layers()];
        this.derived = new NDArray[config.layers()][];
        Shape shape = new Shape(batch, config.kvHeads(), capacity, config.headDim());
        for (int i = 0; i < config.layers(); i++) {
            keys[i] = manager.zeros(shape, dtype);
            values[i] = manager.zeros(shape, dtype);
            NDScope.unregister(keys[i], values[i]);
        }
    }

    /** Positions already cached. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public int batch() {
        return batch;
    }

    /**
     * Writes the new positions' keys and values of {@code layer} ({@code [batch, kvHeads, T, headDim]}) after the cached
     * ones and returns views of all {@code length + T} positions: {@code {keys, values}}.
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + t + " positions exceed capacity " + capacity);
        }
        NDIndex slot = new NDIndex().addAllDim(2).addSliceDim(length, length + t);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
        NDIndex filled = new NDIndex().addAllDim(2).addSliceDim(0, length + t);
        return new NDArray[] {keys[layer].get(filled), values[layer].get(filled)};
    }

    /**
     * Tensors a layer derives from its weights once per cache (fused projections for decoding), made by {@code make} on
     * first use and freed with the cache. Valid because the weights do not change while a cache lives: a cache belongs
     * to one generation call.
     */
    NDArray[] derived(int layer, java.util.function.Supplier<NDArray[]> make) {
        if (derived[layer] == null) {
            NDArray[] made = make.get();
            for (NDArray a : made) {
                if (a != null) {
                    NDScope.unregister(a);
                    a.attach(manager);
                }
            }
            derived[layer] = made;
        }
        return derived[layer];
    }

    /** Marks {@code t} more positions as cached (after every layer has appended them). */
    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        manager.close();
    }
}
