package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.rng.Rng;

/** Small random models for tests, with weights large enough that attention and nonlinearities matter. */
public final class TinyModels {
    private TinyModels() {
    }

    public static final LmConfig GPT2 = LmConfig.gpt2(11, 8, 2, 2, 16);
    public static final LmConfig LLAMA = LmConfig.llama(11, 8, 2, 2, 1, 12, 16, 10000.0, false);

    public static DecoderLm random(NDManager m, LmConfig config, DataType dtype, long seed) {
        DecoderLm model = DecoderLm.initialise(m, config, dtype, new Rng(seed));
        Rng rng = new Rng(seed + 1);
        model.parameters().forEach((name, p) -> {
            double[] v = new double[Math.toIntExact(p.size())];
            boolean norm = name.contains("ln_") || name.contains("layernorm") || name.endsWith("norm.weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (norm && name.endsWith("weight") ? 1 : 0) + (norm ? 0.1 : 0.4) * rng.gaussian();
            }
            NDArray values = m.create(v).toType(dtype, false);
            p.set(values.toByteBuffer());
            values.close();
        });
        return model;
    }
}
