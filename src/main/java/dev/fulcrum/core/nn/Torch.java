package dev.fulcrum.core.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The one place that talks to the PyTorch engine directly: thread settings, the root manager, and the two fused calls
 * (zeroing a gradient, an Adam update) that DJL's engine-neutral API does not expose cheaply.
 *
 * <p>Threads are set explicitly before the engine loads: PyTorch's default thread pool was measured 25-100x slower on the
 * small networks of offline RL on this project's 2-core machines. Override with {@code -Dai.djl.pytorch.num_threads=N} or
 * the environment variable {@code FULCRUM_THREADS}.
 */
public final class Torch {
    private static volatile boolean initialised;

    private Torch() {
    }

    /** Loads the engine with explicit thread counts (idempotent; the first call wins). */
    public static synchronized void init() {
        if (initialised) {
            return;
        }
        String env = System.getenv("FULCRUM_THREADS");
        String threads = System.getProperty("ai.djl.pytorch.num_threads", env != null && !env.isBlank() ? env.trim() : "1");
        System.setProperty("ai.djl.pytorch.num_threads", threads);
        System.setProperty("ai.djl.pytorch.num_interop_threads", System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed(0); // nothing should draw from it; seeded anyway so an accidental use is repeatable
        JniUtils.setNumThreads(Integer.parseInt(threads));
        JniUtils.setGradMode(false); // graphs are recorded only inside a Tape
        initialised = true;
    }

    /**
     * A new root manager on the CPU, after {@link #init()}. Close it to free everything it owns. Always the CPU, even when
     * the engine sees a GPU (DJL's default device would then be the GPU): a run moves to a GPU only when it asks to.
     */
    public static NDManager newManager() {
        return newManager(Device.cpu());
    }

    /** A new root manager on {@code device} (see {@link Devices#resolve}); tensors it creates live there. */
    public static NDManager newManager(Device device) {
        init();
        return Engine.getEngine("PyTorch").newBaseManager(device);
    }

    public static int intraOpThreads() {
        init();
        return JniUtils.getNumThreads();
    }

    /**
     * Records operations for automatic differentiation on the current thread, like DJL's {@code GradientCollector} but
     * without its one-collector-per-JVM limit: PyTorch's grad mode is thread-local, so two threads may each hold a tape
     * and differentiate disjoint graphs at once. Gradients accumulate into the parameters' {@code .grad}; clear them with
     * {@link Adam#zeroGradients()} before each backward.
     */
    public static final class Tape implements AutoCloseable {
        private final boolean previous;

        public Tape() {
            init();
            previous = JniUtils.isGradMode();
            JniUtils.setGradMode(true);
        }

        /** Back-propagates a scalar loss into the gradients of every leaf it depends on. */
        public void backward(NDArray loss) {
            try (NDArray seed = loss.onesLike()) {
                JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
            }
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }

    /** Turns graph recording off on the calling thread (new threads start with PyTorch's default, recording on). */
    public static void disableGradOnThisThread() {
        init();
        JniUtils.setGradMode(false);
    }

    /** Sets the accumulated gradient of a parameter to zero, in place (one native call). */
    public static void zeroGradient(NDArray parameter) {
        if (parameter.hasGradient()) {
            JniUtils.zeroGrad((PtNDArray) parameter);
        }
    }

    public static NDArray create(NDManager manager, float[] data, long... shape) {
        return manager.create(data, new Shape(shape));
    }

    public static NDArray create(NDManager manager, double[] data, long... shape) {
        return manager.create(data, new Shape(shape));
    }

    /** A scalar NDArray's value as a double, whatever its float type. */
    public static double scalar(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a.toDoubleArray()[0] : a.toType(DataType.FLOAT64, false).toDoubleArray()[0];
    }
}
