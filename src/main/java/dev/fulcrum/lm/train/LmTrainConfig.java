package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.nn.Devices;
import java.util.List;

/**
 * Everything that defines a language-model training run. Loaded by {@code ConfigLoader} from defaults, an optional
 * YAML/JSON file and {@code key.path=value} overrides; written resolved to the run's {@code config.json}.
 *
 * @param objective       sft (next-token likelihood of completions), reward (Bradley-Terry reward model) or dpo
 *                        (preference optimisation of the policy, {@link PreferenceObjective}), or srpo
 *                        ({@link SrpoObjective}), or pit-reward (PIT's gap reward model,
 *                        {@code lm.pit.GapRewardObjective}: Bradley-Terry over the five orderings of each pair)
 * @param data            SFT JSONL (sft) or preference JSONL (reward, dpo, srpo), TRL layouts
 * @param tokenizer       {@code bytes}, a {@code tokenizer.json} path, {@code hf:PATH}, or {@code auto}: the one of
 *                        {@code init}, else bytes
 * @param init            a Hugging Face model directory (or a finished run) to start from; blank: a fresh model of
 *                        shape {@code model}
 * @param seed            initialisation, data order and held-out split all derive from it
 * @param steps           optimiser updates
 * @param batchSize       examples (sft) or pairs (reward) per micro-batch
 * @param accumulation    micro-batches per update (gradient accumulation)
 * @param lengthGrouped   batch examples of similar length together (less padding), as Hugging Face's
 *                        {@code group_by_length}
 * @param logEvery        training metrics every this many updates
 * @param evalEvery       evaluation every this many updates (and at the end)
 * @param checkpointEvery checkpoint every this many updates (and at the end)
 * @param keepCheckpoints recent checkpoints kept
 * @param preference      preference-optimisation settings (dpo)
 * @param srpo            SRPO's settings (objective srpo; a preference JSONL, and {@code init} the model to start from and
 *                        anchor to)
 * @param dataOrder       {@code shuffled} (every epoch a fresh shuffle) or {@code easy-to-hard} (a curriculum: every
 *                        epoch visits the examples in order of difficulty, the SFT rows' {@code steps} column, shuffled
 *                        within a difficulty; sft only)
 * @param device          where the model trains: {@code cpu} (the default, or {@code FULCRUM_DEVICE}), {@code gpu} or
 *                        {@code gpu:N} ({@code core.nn.Devices}); a GPU needs a CUDA build of libtorch (README, "Fine-tuning
 *                        on a GPU"). Checkpoints hold host copies, so a run may resume on another device.
 */
public record LmTrainConfig(String objective, String data, String tokenizer, String init, long seed, long steps, int batchSize,
                            int accumulation, boolean lengthGrouped, int logEvery, int evalEvery, int checkpointEvery,
                            int keepCheckpoints, ModelSpec model, OptimizerSettings optimizer, SolveRateSettings eval,
                            RewardSettings reward, PreferenceSettings preference, SrpoSettings srpo, String dataOrder,
                            String device) {
    public static final List<String> OBJECTIVES = List.of("sft", "reward", "dpo", "srpo", "pit-reward");
    public static final List<String> DATA_ORDERS = List.of("shuffled", "easy-to-hard");

    public LmTrainConfig {
        if (objective == null || !OBJECTIVES.contains(objective)) {
            throw new ConfigException("objective", "must be one of " + OBJECTIVES + ", got '" + objective + "'");
        }
        if (tokenizer == null || tokenizer.isBlank()) {
            throw new ConfigException("tokenizer", "must be 'bytes', a tokenizer.json path or hf:PATH");
        }
        data = data == null ? "" : data;
        init = init == null ? "" : init;
        positive("steps", steps);
        positive("batchSize", batchSize);
        positive("accumulation", accumulation);
        positive("logEvery", logEvery);
        positive("evalEvery", evalEvery);
        positive("checkpointEvery", checkpointEvery);
        positive("keepCheckpoints", keepCheckpoints);
        if (model == null) {
            throw new ConfigException("model", "is missing");
        }
        if (optimizer == null) {
            throw new ConfigException("optimizer", "is missing");
        }
        if (eval == null) {
            throw new ConfigException("eval", "is missing");
        }
        if (reward == null) {
            throw new ConfigException("reward", "is missing");
        }
        if (preference == null) {
            throw new ConfigException("preference", "is missing");
        }
        if (srpo == null) {
            throw new ConfigException("srpo", "is missing");
        }
        if (dataOrder == null || !DATA_ORDERS.contains(dataOrder)) {
            throw new ConfigException("dataOrder", "must be one of " + DATA_ORDERS + ", got '" + dataOrder + "'");
        }
        if (dataOrder.equals("easy-to-hard") && !objective.equals("sft")) {
            throw new ConfigException("dataOrder", "easy-to-hard orders SFT data; objective " + objective + " needs 'shuffled'");
        }
        device = device == null ? "cpu" : device.trim();
        try {
            Devices.parse(device);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("device", e.getMessage());
        }
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new ConfigException(field, "must be positive, got " + v);
        }
    }

    /** Defaults of {@code objective} with the model {@code model}. */
    public static LmTrainConfig defaults(String objective, ModelSpec model) {
        return new LmTrainConfig(objective, "", "auto", "", 0, 1000, 32, 1, true, 25, 500, 250, 2, model,
                OptimizerSettings.defaults(), SolveRateSettings.defaults(), RewardSettings.defaults(),
                PreferenceSettings.defaults(), SrpoSettings.defaults(), "shuffled", Devices.defaultName());
    }

    public static LmTrainConfig defaults(String objective) {
        return defaults(objective, ModelSpec.tiny());
    }

    /** This configuration on {@code device} (as when a run resumes on another device). */
    public LmTrainConfig withDevice(String device) {
        return new LmTrainConfig(objective, data, tokenizer, init, seed, steps, batchSize, accumulation, lengthGrouped, logEvery,
                evalEvery, checkpointEvery, keepCheckpoints, model, optimizer, eval, reward, preference, srpo, dataOrder, device);
    }

    /** Whether the run starts from an existing model rather than a fresh one. */
    public boolean fromCheckpoint() {
        return !init.isBlank();
    }
}
