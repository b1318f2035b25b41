package dev.fulcrum.control.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Mlp;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;

/**
 * A conditional VAE over actions, {@code p(a | s)}, as used by BCQ and by A2PR's augmented behaviour policy:
 * <pre>
 *   encoder  [s, a] -> hidden -> hidden -> (mu, log sigma) in R^L each, log sigma clamped to [-4, 15]
 *   z        = mu + sigma * eps,  eps ~ N(0, I)                 (reparameterised; eps is passed in)
 *   decoder  [s, z] -> hidden -> hidden -> tanh(.) in the normalised action box [-1, 1]
 * </pre>
 * ReLU hidden layers. The encoder's two heads are one linear layer with {@code 2L} outputs, split into {@code mu} (first
 * {@code L} columns) and {@code log sigma}: the same function and the same initialisation distribution as two heads.
 */
public final class ActionVae implements Module {
    public static final double LOG_STD_MIN = -4.0;
    public static final double LOG_STD_MAX = 15.0;

    private final Mlp encoder;
    private final Mlp decoder;
    private final int latentDim;

    /** What one encode-sample-decode pass produces; {@code logStd} is already clamped. */
    public record Pass(NDArray reconstruction, NDArray mean, NDArray logStd) {
    }

    public ActionVae(NDManager manager, int observationDim, int actionDim, int latentDim, int hiddenSize, DataType dtype,
                     Rng rng) {
        this.latentDim = latentDim;
        this.encoder = new Mlp(manager, observationDim + actionDim, new int[] {hiddenSize, hiddenSize}, 2 * latentDim, dtype, rng);
        this.decoder = new Mlp(manager, observationDim + latentDim, new int[] {hiddenSize, hiddenSize}, actionDim, dtype, rng);
    }

    public int latentDim() {
        return latentDim;
    }

    /** Encodes {@code (s, a)}, samples {@code z = mu + sigma * noise} ({@code noise} is [B, L] standard normal), decodes. */
    public Pass forward(NDArray observations, NDArray actions, NDArray noise) {
        NDArray heads = encoder.forward(observations.concat(actions, 1));
        NDArray mean = heads.get(new NDIndex(":, 0:" + latentDim));
        NDArray logStd = clampLogStd(heads.get(new NDIndex(":, " + latentDim + ":")));
        NDArray z = mean.add(logStd.exp().mul(noise));
        return new Pass(decode(observations, z), mean, logStd);
    }

    /** The decoder: {@code tanh(MLP([s, z]))}, shape [B, A]. */
    public NDArray decode(NDArray observations, NDArray latent) {
        return decoder.forward(observations.concat(latent, 1)).tanh();
    }

    /** The clamp of the encoder's log standard deviation to [-4, 15] (gradient zero outside). */
    public static NDArray clampLogStd(NDArray rawLogStd) {
        return rawLogStd.clip(LOG_STD_MIN, LOG_STD_MAX);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Module.prefixed("encoder", encoder, "decoder", decoder);
    }
}
