package dev.fulcrum.lm.tokenize;

/**
 * Text to token ids and back. Every language-model component (models, trainers, oracles' scorers) sees text only through
 * this interface, so a byte-level tokenizer, a BPE tokenizer we trained, and a Hugging Face {@code tokenizer.json} are
 * interchangeable.
 *
 * <p>{@link #encode} adds no special tokens; callers place {@link SpecialTokens#bos()} and {@link SpecialTokens#eos()}
 * where their format needs them. {@link #decode} drops special tokens.
 */
public interface Tokenizer {
    /** Number of ids the model's embedding must cover (every id {@link #encode} can return is below it). */
    int vocabSize();

    /** The ids of {@code text}, without special tokens. */
    int[] encode(String text);

    /** The text of {@code ids}, skipping special tokens. */
    String decode(int[] ids);

    SpecialTokens special();

    /**
     * Ids of the special tokens; {@code -1} where the tokenizer has none.
     *
     * @param bos start of a sequence
     * @param eos end of a sequence (generation stops on it)
     * @param pad padding in batches (never scored)
     */
    record SpecialTokens(int bos, int eos, int pad) {
    }
}
