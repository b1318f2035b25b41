package dev.fulcrum.lm.iterative;

import dev.fulcrum.core.config.ConfigException;

/**
 * Everything that defines an iterative preference run ({@code fulcrum lm iterate}); loaded by {@code ConfigLoader} from
 * defaults, a file and {@code key=value} overrides, and written resolved to the run's {@code config.json}.
 *
 * @param method            dno, inpo or dpo ({@link IterativeMethod})
 * @param init              the starting policy (a finished run or a Hugging Face model directory): also the reference
 *                          model and the opponent of the win-rate evaluation
 * @param iterations        T, the number of sample-label-train rounds
 * @param families          task families of the prompts ({@code TaskSuite.select})
 * @param promptsPerFamily  fresh prompts per family in each iteration
 * @param samplesPerPrompt  K responses sampled per prompt
 * @param problemSeed       seed of the training prompts (iteration t uses {@code problemSeed + t}); keep it apart from the
 *                          SFT data's seed
 * @param temperature       sampling temperature (training samples and evaluation samples)
 * @param maxNewTokens      response budget in tokens
 * @param maxToolCalls      tool calls executed per response
 * @param generationBatch   prompts decoded together
 * @param oracle            preference oracle that labels the samples and judges the evaluation: intransitive or bt
 * @param oracleTemperature the oracle's temperature t
 * @param cycleWeight       the intransitive oracle's cycle weight lambda
 * @param eta               balance: DPO's beta for dno and dpo; INPO's eta (target margin 1/(2 eta))
 * @param tau               INPO's KL weight toward the reference, in [0, eta]
 * @param dnoMargin         DNO's large-margin filter on the win-rate gap of a pair
 * @param dnoMixDecay       DNO: iteration t also trains on a random share {@code dnoMixDecay^(t-s)} of iteration s's pairs
 * @param epochs            passes over an iteration's pairs (the update count follows from the pair count)
 * @param batchSize         pairs per update
 * @param learningRate      peak learning rate of each iteration's training (AdamW, short warm-up, cosine)
 * @param evalPromptsPerFamily evaluation prompts per family (fixed across iterations, seed {@code evalSeed})
 * @param evalSamples       sampled responses per evaluation prompt from the policy and from the starting model
 * @param evalSeed          seed of the evaluation prompts
 * @param seed              sampling, training order and bootstrap all derive from it
 */
public record IterateConfig(String method, String init, int iterations, String families, int promptsPerFamily, int samplesPerPrompt,
                            long problemSeed, double temperature, int maxNewTokens, int maxToolCalls, int generationBatch,
                            String oracle, double oracleTemperature, double cycleWeight, double eta, double tau, double dnoMargin,
                            double dnoMixDecay, double epochs, int batchSize, double learningRate, int evalPromptsPerFamily,
                            int evalSamples, long evalSeed, long seed) {

    public static IterateConfig defaults() {
        return new IterateConfig("dno", "", 3, "in-distribution", 8, 4, 5_000_000, 1.0, 96, 4, 64,
                "intransitive", 0.1, 0.3, 0.1, 0.1 / 3, 0.2, 0.5, 2.0, 8, 5e-4, 8, 2, 1_000_003, 0);
    }

    public IterateConfig {
        try {
            IterativeMethod.parse(method);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("method", e.getMessage());
        }
        init = init == null ? "" : init;
        positive("iterations", iterations);
        positive("promptsPerFamily", promptsPerFamily);
        if (samplesPerPrompt < 2) {
            throw new ConfigException("samplesPerPrompt", "must be at least 2 (a pair), got " + samplesPerPrompt);
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new ConfigException("temperature", "must be positive (on-policy samples), got " + temperature);
        }
        positive("maxNewTokens", maxNewTokens);
        if (maxToolCalls < 0) {
            throw new ConfigException("maxToolCalls", "must be >= 0, got " + maxToolCalls);
        }
        positive("generationBatch", generationBatch);
        if (!oracle.equals("intransitive") && !oracle.equals("bt")) {
            throw new ConfigException("oracle", "must be intransitive or bt, got '" + oracle + "'");
        }
        if (!(oracleTemperature > 0) || !Double.isFinite(oracleTemperature)) {
            throw new ConfigException("oracleTemperature", "must be positive, got " + oracleTemperature);
        }
        if (!(cycleWeight >= 0) || !Double.isFinite(cycleWeight)) {
            throw new ConfigException("cycleWeight", "must be >= 0, got " + cycleWeight);
        }
        if (!(eta > 0) || !Double.isFinite(eta)) {
            throw new ConfigException("eta", "must be positive, got " + eta);
        }
        if (!(tau >= 0 && tau <= eta)) {
            throw new ConfigException("tau", "must lie in [0, eta] = [0, " + eta + "], got " + tau);
        }
        if (!(dnoMargin >= 0 && dnoMargin <= 1)) {
            throw new ConfigException("dnoMargin", "must lie in [0, 1], got " + dnoMargin);
        }
        if (!(dnoMixDecay >= 0 && dnoMixDecay <= 1)) {
            throw new ConfigException("dnoMixDecay", "must lie in [0, 1], got " + dnoMixDecay);
        }
        if (!(epochs > 0) || !Double.isFinite(epochs)) {
            throw new ConfigException("epochs", "must be positive, got " + epochs);
        }
        positive("batchSize", batchSize);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new ConfigException("learningRate", "must be positive, got " + learningRate);
        }
        positive("evalPromptsPerFamily", evalPromptsPerFamily);
        positive("evalSamples", evalSamples);
    }

    public IterativeMethod methodKind() {
        return IterativeMethod.parse(method);
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new ConfigException(field, "must be positive, got " + v);
        }
    }
}
