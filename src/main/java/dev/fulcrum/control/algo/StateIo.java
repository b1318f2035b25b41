package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import dev.fulcrum.core.run.Checkpoint;
import java.util.Map;

/** Copies checkpointed tensors into live ones, checking that names and shapes agree. */
final class StateIo {
    private StateIo() {
    }

    static void load(Checkpoint c, Map<String, NDArray> live) {
        live.forEach((name, dst) -> {
            NDArray src = c.tensors().get(name);
            if (src == null) {
                throw new IllegalArgumentException("checkpoint lacks tensor '" + name + "'");
            }
            if (!src.getShape().equals(dst.getShape())) {
                throw new IllegalArgumentException("checkpoint tensor '" + name + "' has shape " + src.getShape()
                        + ", the model expects " + dst.getShape());
            }
            dst.set(src.toByteBuffer());
        });
    }
}
