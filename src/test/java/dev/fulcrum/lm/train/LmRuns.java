package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Task data and small configurations for the trainer tests. */
final class LmRuns {
    private LmRuns() {
    }

    /** SFT JSONL of {@code perFamily} problems of each family (seed 0). */
    static Path sftData(Path dir, int perFamily, String... families) {
        Path file = dir.resolve("sft.jsonl");
        SftJsonl.write(file, OracleDatasets.sft(OracleDatasets.sources(List.of(families), 0, perFamily), false),
                SftFormat.PROMPT_COMPLETION);
        return file;
    }

    /** Preference JSONL with Bradley-Terry labels at temperature 0.1 (seed 0). */
    static Path preferenceData(Path dir, int perFamily, String... families) {
        Path file = dir.resolve("preferences.jsonl");
        PreferenceJsonl.write(file, OracleDatasets.preferences(OracleDatasets.sources(List.of(families), 0, perFamily),
                new BradleyTerryOracle(0.1), new Rng(0).split("labels"), false), PreferenceFormat.STANDARD);
        return file;
    }

    static LmTrainConfig config(String objective, Path data, String... overrides) {
        List<String> all = new ArrayList<>(List.of("data=" + data));
        all.addAll(List.of(overrides));
        return ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults(objective), null, all);
    }

    /** A model small enough for resumption and export tests (seconds). */
    static final String[] MICRO_MODEL = {"model.hiddenSize=32", "model.layers=1", "model.heads=2", "model.kvHeads=2",
            "model.intermediateSize=64", "model.maxPositions=128"};
}
