package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.rng.Rng;

/** Standard-normal noise tensors drawn from our {@link Rng}, never from the engine's generator. */
final class Noise {
    private Noise() {
    }

    /** A [rows, columns] tensor of N(0, 1) draws, in {@code like}'s manager (and scope) and data type. */
    static NDArray standardNormal(Rng rng, NDArray like, long rows, int columns) {
        float[] eps = rng.gaussians(Math.toIntExact(rows * columns), 1.0);
        NDArray e = like.getManager().create(eps, new Shape(rows, columns));
        return e.getDataType() == like.getDataType() ? e : e.toType(like.getDataType(), false);
    }
}
