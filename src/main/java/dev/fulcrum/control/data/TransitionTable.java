package dev.fulcrum.control.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;

/**
 * The offline dataset after preprocessing, laid out for fast minibatch sampling: rows are gathered in Java from flat
 * arrays and handed to the engine as one tensor per field.
 */
public final class TransitionTable {
    private final int n, obsDim, actDim;
    private final float[] obs, act, rew, next, done;

    public TransitionTable(OfflineDataset data, Preprocessor pre) {
        n = data.size();
        obsDim = data.observationDim();
        actDim = data.actionDim();
        obs = new float[n * obsDim];
        next = new float[n * obsDim];
        act = new float[n * actDim];
        rew = new float[n];
        done = new float[n];
        for (int i = 0; i < n; i++) {
            pre.normaliseObservationInto(data.observations(), i * obsDim, obs, i * obsDim);
            pre.normaliseObservationInto(data.nextObservations(), i * obsDim, next, i * obsDim);
            for (int j = 0; j < actDim; j++) {
                act[i * actDim + j] = Math.max(-1f, Math.min(1f, data.actions()[i * actDim + j] / pre.actionHigh()));
            }
            rew[i] = pre.shapeReward(data.rewards()[i]);
            done[i] = data.terminals()[i] ? 1f : 0f;
        }
    }

    public int size() {
        return n;
    }

    /** Draws {@code batchSize} rows uniformly with replacement; tensors are created in {@code manager}. */
    public Batch sample(Rng rng, int batchSize, NDManager manager, DataType dtype) {
        int[] idx = rng.indices(batchSize, n);
        return gather(idx, manager, dtype);
    }

    public Batch gather(int[] idx, NDManager manager, DataType dtype) {
        int b = idx.length;
        float[] o = new float[b * obsDim], no = new float[b * obsDim], a = new float[b * actDim], r = new float[b], d = new float[b];
        for (int k = 0; k < b; k++) {
            int i = idx[k];
            System.arraycopy(obs, i * obsDim, o, k * obsDim, obsDim);
            System.arraycopy(next, i * obsDim, no, k * obsDim, obsDim);
            System.arraycopy(act, i * actDim, a, k * actDim, actDim);
            r[k] = rew[i];
            d[k] = done[i];
        }
        return new Batch(tensor(manager, o, dtype, b, obsDim), tensor(manager, a, dtype, b, actDim), tensor(manager, r, dtype, b),
                tensor(manager, no, dtype, b, obsDim), tensor(manager, d, dtype, b));
    }

    private static ai.djl.ndarray.NDArray tensor(NDManager m, float[] data, DataType dtype, long... shape) {
        ai.djl.ndarray.NDArray a = m.create(data, new Shape(shape));
        return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
    }
}
