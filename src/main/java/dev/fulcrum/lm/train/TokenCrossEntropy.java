package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDArray;
import dev.fulcrum.lm.model.CompletionScores;
import dev.fulcrum.lm.model.TokenLogProbs;

/**
 * Token-level cross-entropy, the language-modelling loss (maximum likelihood of the next token):
 * <pre>
 *   L = - sum_{b,t} m_{b,t} log softmax(z_{b,t})[y_{b,t}] / sum_{b,t} m_{b,t}
 * </pre>
 * with logits {@code z}, targets {@code y} and an ignore mask {@code m} (1 for tokens that count: completion tokens in
 * SFT, every real token in pre-training; 0 for prompts and padding). Averaging over counted tokens (not rows) is what
 * Hugging Face's {@code CrossEntropyLoss(ignore_index=-100)} does.
 */
public final class TokenCrossEntropy {
    private TokenCrossEntropy() {
    }

    /**
     * @param logits  {@code [B, T, V]}
     * @param targets int64 {@code [B, T]}
     * @param mask    {@code [B, T]} of 0/1 in the logits' type; must count at least one token
     */
    public static NDArray loss(NDArray logits, NDArray targets, NDArray mask) {
        NDArray counted = mask.sum();
        return TokenLogProbs.of(logits, targets).mul(mask).sum().div(counted).neg();
    }

    /** The cross-entropy of the completions of scored pairs: {@code -sum_i log pi(y_i | x_i) / sum_i |y_i|}. */
    public static NDArray loss(CompletionScores scores) {
        long tokens = scores.totalTokens();
        if (tokens == 0) {
            throw new IllegalArgumentException("no completion tokens to average over");
        }
        return scores.sums().sum().div(-tokens); // a fresh constant: token counts vary, so not cached in Scalars
    }
}
