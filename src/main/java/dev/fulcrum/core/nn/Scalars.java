package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cached 0-dimensional constant tensors. DJL turns every Java number in an operation ({@code x.mul(0.5)}) into a fresh
 * tensor through a direct buffer, which was measured at 25-45 microseconds per call here, several times the cost of the
 * arithmetic on a 256x256 tensor. Hyper-parameters are few and fixed, so each distinct (value, type) is made once and
 * reused: {@code x.mul(Scalars.of(x, 0.5))} costs what {@code x.mul(y)} costs.
 */
public final class Scalars {
    private record Key(double value, DataType type) {
    }

    private static final Map<Key, NDArray> CACHE = new ConcurrentHashMap<>();
    private static volatile NDManager manager;

    private Scalars() {
    }

    /** The constant {@code value} as a 0-d tensor of {@code like}'s data type. */
    public static NDArray of(NDArray like, double value) {
        return of(like.getDataType(), value);
    }

    public static NDArray of(DataType type, double value) {
        return CACHE.computeIfAbsent(new Key(value, type), k -> {
            NDArray c = manager().create(value).toType(type, false);
            NDScope.unregister(c); // the cache outlives any scope it is first used in
            return c;
        });
    }

    private static NDManager manager() {
        if (manager == null) {
            synchronized (Scalars.class) {
                if (manager == null) {
                    manager = Torch.newManager();
                }
            }
        }
        return manager;
    }
}
