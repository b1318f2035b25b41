package dev.fulcrum.lm.model;

import dev.fulcrum.core.config.ConfigException;
import java.util.Arrays;

/**
 * How to decode: at most {@code maxNewTokens} tokens per prompt; {@code temperature} 0 is greedy (argmax), otherwise
 * the logits are divided by it, cut to the {@code topK} most likely tokens (0: no cut), then to the smallest set whose
 * probability reaches {@code topP} (nucleus sampling, Holtzman et al. 2020; 1: no cut), in that order as in Hugging
 * Face's samplers. A row ends after it emits one of {@code stopTokens}.
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, int[] stopTokens) {
    public GenerationConfig {
        if (maxNewTokens <= 0) {
            throw new ConfigException("maxNewTokens", "must be a positive integer, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new ConfigException("temperature", "must be 0 (greedy) or positive, got " + temperature);
        }
        if (topK < 0) {
            throw new ConfigException("topK", "must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new ConfigException("topP", "must lie in (0, 1], got " + topP);
        }
        stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
    }

    public static GenerationConfig greedy(int maxNewTokens, int... stopTokens) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, stopTokens);
    }

    public static GenerationConfig sampling(int maxNewTokens, double temperature, int topK, double topP, int... stopTokens) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, stopTokens);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public boolean stopsAt(int token) {
        for (int s : stopTokens) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int[] stopTokens() {
        return stopTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig g && g.maxNewTokens == maxNewTokens && g.temperature == temperature
                && g.topK == topK && g.topP == topP && Arrays.equals(g.stopTokens, stopTokens);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(stopTokens) * 31 + Integer.hashCode(maxNewTokens);
    }

    @Override
    public String toString() {
        return "GenerationConfig[maxNewTokens=%d, temperature=%s, topK=%d, topP=%s, stopTokens=%s]".formatted(maxNewTokens,
                temperature, topK, topP, Arrays.toString(stopTokens));
    }
}
