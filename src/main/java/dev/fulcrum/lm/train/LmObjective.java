package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link LmTrainer} trains: the model, its data and its loss. The trainer owns everything else (optimiser,
 * schedule, clipping, accumulation, data order, logging, checkpoints, export), so each objective holds only what is
 * particular to it. Implementations: {@link SftObjective}, {@link RewardObjective}, {@link PreferenceObjective}.
 */
public interface LmObjective {
    /** The loss of one micro-batch and what it counted. */
    record BatchLoss(NDArray loss, long tokens, Map<String, Double> metrics) {
    }

    String name();

    /** Trainable parameters under their checkpoint (and Hugging Face) names. */
    Map<String, NDArray> parameters();

    /** Length in tokens of every training example (index = example id), for length-grouped batching. */
    int[] exampleLengths();

    /**
     * Called once the run directory exists (new or resumed), before the first update: an objective may keep state there
     * that a resumed run reads back instead of recomputing (e.g. {@link PreferenceObjective}'s reference scores).
     */
    default void attach(Path runDir, NDManager manager) {
    }

    /** The loss of the examples {@code batch}; called inside the trainer's {@code NDScope} and {@code Torch.Tape}. */
    BatchLoss loss(NDManager manager, int[] batch);

    /** Evaluation metrics of the current parameters (no gradients). */
    Map<String, Double> evaluate(NDManager manager);

    /** Writes the trained model as a Hugging Face directory (config.json, model.safetensors, tokenizer.json). */
    void export(Path dir, Path tokenizerDir);

    /** Facts about data and model for {@code summary.json}, including the last evaluation's details. */
    Map<String, Object> summary();
}
