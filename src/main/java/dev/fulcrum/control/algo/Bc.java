package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.nets.GaussianActor;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.Map;

/**
 * Behaviour cloning by maximum likelihood: {@code L = -E[log pi(a|s)]} with the same Gaussian actor as IQL. It is IQL's
 * actor loss with every advantage weight set to 1 (anchor only, no signal), which makes it the natural baseline.
 */
public final class Bc implements OfflineAlgorithm {

    public record Config(double lr, int hiddenSize, int hiddenLayers) {
        public static Config defaults() {
            return new Config(3e-4, 256, 2);
        }

        public Config {
            Checks.positive("bc.lr", lr);
            Checks.positive("bc.hiddenSize", hiddenSize);
            Checks.positive("bc.hiddenLayers", hiddenLayers);
        }
    }

    final GaussianActor actor;
    private final Adam optimizer;

    public Bc(NDManager manager, int observationDim, int actionDim, Config config, DataType dtype, Rng rng) {
        actor = new GaussianActor(manager, observationDim, actionDim, Checks.hidden(config.hiddenSize(), config.hiddenLayers()),
                dtype, rng.split("init"));
        optimizer = new Adam(manager, actor.parameters(), config.lr());
    }

    @Override
    public String name() {
        return "bc";
    }

    NDArray loss(Batch b) {
        return actor.logProb(b.observations(), b.actions()).mean().neg();
    }

    @Override
    public Map<String, Double> update(Batch b, long step, boolean withMetrics) {
        NDArray loss;
        optimizer.zeroGradients();
        try (Torch.Tape gc = new Torch.Tape()) {
            loss = loss(b);
            gc.backward(loss);
        }
        optimizer.step();
        return withMetrics ? Map.of("actor_loss", loss.toType(DataType.FLOAT64, false).toDoubleArray()[0]) : Map.of();
    }

    @Override
    public NDArray act(NDArray observations) {
        return actor.mean(observations);
    }

    /** The live network tensors (weights and targets), by checkpoint name. */
    private Map<String, NDArray> weights() {
        return dev.fulcrum.core.nn.Module.prefixed("actor", actor);
    }

    /** The optimisers, by checkpoint name ({@code optim.<name>.*}). */
    private Map<String, Adam> optimizers() {
        return StateIo.named("actor", optimizer);
    }

    @Override
    public Map<String, NDArray> stateTensors(NDManager scratch) {
        return StateIo.tensors(weights(), optimizers(), scratch);
    }

    @Override
    public Map<String, String> stateMetadata() {
        return StateIo.metadata(optimizers());
    }

    @Override
    public void loadState(Checkpoint c) {
        StateIo.load(c, weights(), optimizers());
    }
}
