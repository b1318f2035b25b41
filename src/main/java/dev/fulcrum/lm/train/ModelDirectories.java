package dev.fulcrum.lm.train;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where a command's model lives: a run directory's exported {@code model/}, or a Hugging Face model directory itself. */
public final class ModelDirectories {
    private ModelDirectories() {
    }

    /** The Hugging Face directory of {@code runOrModel}: {@code RUN/model} for a finished run, else the directory itself. */
    public static Path resolve(Path runOrModel) {
        if (!Files.isDirectory(runOrModel)) {
            throw new IllegalArgumentException("not a run or model directory: " + runOrModel);
        }
        Path exported = runOrModel.resolve(LmTrainer.MODEL_DIR);
        if (Files.isRegularFile(exported.resolve("config.json"))) {
            return exported;
        }
        if (Files.isDirectory(runOrModel.resolve("checkpoints")) && Files.isRegularFile(runOrModel.resolve("metrics.jsonl"))) {
            throw new IllegalArgumentException(runOrModel + " is a run without an exported model (not finished? continue it with "
                    + "--resume)");
        }
        if (!Files.isRegularFile(runOrModel.resolve("config.json"))) {
            throw new IllegalArgumentException(runOrModel + " holds neither a run (" + LmTrainer.MODEL_DIR
                    + "/config.json) nor a model (config.json)");
        }
        return runOrModel;
    }
}
