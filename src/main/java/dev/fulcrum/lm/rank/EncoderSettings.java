package dev.fulcrum.lm.rank;

import dev.fulcrum.core.config.ConfigException;
import java.util.List;

/**
 * The dual encoder's shape ({@code encoder.*}).
 *
 * @param pooling     {@code mean} (average of the final hidden states of the real tokens) or {@code last} (the final
 *                    hidden state of the last token, the end-of-sequence token)
 * @param dimension   width of the linear projection after pooling
 * @param temperature tau of {@code s(q, d) = cos(q, d) / tau}
 * @param maxTokens   longest token sequence (longer texts are cut)
 */
public record EncoderSettings(String pooling, int dimension, double temperature, int maxTokens) {
    public static final List<String> POOLINGS = List.of("mean", "last");

    public EncoderSettings {
        if (!POOLINGS.contains(pooling)) {
            throw new ConfigException("encoder.pooling", "must be one of " + POOLINGS + ", got '" + pooling + "'");
        }
        if (dimension <= 0) {
            throw new ConfigException("encoder.dimension", "must be positive, got " + dimension);
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new ConfigException("encoder.temperature", "must be a positive number, got " + temperature);
        }
        if (maxTokens < 4) {
            throw new ConfigException("encoder.maxTokens", "must be at least 4, got " + maxTokens);
        }
    }

    public static EncoderSettings defaults() {
        return new EncoderSettings("mean", 128, 0.05, 96);
    }
}
