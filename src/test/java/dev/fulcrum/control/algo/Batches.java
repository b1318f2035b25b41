package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.core.rng.Rng;

/** Random double-precision batches for gradient checks. */
final class Batches {
    private Batches() {
    }

    static Batch random(NDManager m, int b, int s, int a, Rng rng) {
        double[] obs = new double[b * s], next = new double[b * s], act = new double[b * a], r = new double[b], d = new double[b];
        for (int i = 0; i < obs.length; i++) {
            obs[i] = rng.gaussian();
            next[i] = rng.gaussian();
        }
        for (int i = 0; i < act.length; i++) {
            act[i] = rng.uniform(-0.95, 0.95);
        }
        for (int i = 0; i < b; i++) {
            r[i] = rng.gaussian();
            d[i] = i % 4 == 0 ? 1 : 0;
        }
        return new Batch(m.create(obs, new Shape(b, s)), m.create(act, new Shape(b, a)), m.create(r, new Shape(b)),
                m.create(next, new Shape(b, s)), m.create(d, new Shape(b)));
    }

    static NDArray vector(NDManager m, double... v) {
        return m.create(v).toType(DataType.FLOAT64, false);
    }
}
