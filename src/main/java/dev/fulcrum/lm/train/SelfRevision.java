package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.align.RevisionPrompt;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Inference-time self-revision with one model as generator and reviser (SRPO's inference):
 * <pre>
 *   y_0     ~ pi(. | x)
 *   y_{k+1} ~ pi(. | revise(x, y_k))          k = 0 .. rounds-1, revise = {@link RevisionPrompt#revise}
 * </pre>
 * Each round decodes all prompts together through {@link ResponseGenerator} (batched, KV cache, tool calls executed), so
 * round {@code k} costs one batched generation. A revision prompt that leaves no room for a response within the model's
 * {@code maxPositions} (or less than {@code minRoom} tokens) is not decoded: the previous response is kept as that
 * round's and counted in {@link Rounds#keptForLength}.
 */
public final class SelfRevision {
    private final DecoderLm model;
    private final ResponseGenerator generator;
    private final int minRoom;

    /**
     * @param minRoom fewest response tokens a revision prompt must leave within {@code maxPositions} to be decoded
     */
    public SelfRevision(DecoderLm model, Tokenizer tokenizer, int minRoom) {
        if (minRoom <= 0) {
            throw new IllegalArgumentException("minRoom must be positive, got " + minRoom);
        }
        this.model = model;
        this.generator = new ResponseGenerator(model, tokenizer);
        this.minRoom = minRoom;
    }

    /**
     * Every round's responses: {@code responses.get(k).get(i)} is {@code y_k} for prompt {@code i} (round 0 the first
     * answer); {@code keptForLength.get(k)} counts the prompts whose round-{@code k} response is the previous one, kept
     * because the revision prompt was too long.
     */
    public record Rounds(List<List<String>> responses, List<Integer> keptForLength) {
        public List<String> round(int k) {
            return responses.get(k);
        }

        public int rounds() {
            return responses.size() - 1;
        }
    }

    /** Round 0 and {@code rounds} revisions of every prompt; randomness (when sampling) from {@code rng} only. */
    public Rounds run(NDManager manager, List<String> prompts, int rounds, ResponseGenerator.Settings settings, Rng rng) {
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
        }
        return revise(manager, prompts, generator.respond(manager, prompts, settings, rng.split("round-0")), rounds, settings, rng);
    }

    /**
     * {@code rounds} revisions of given first responses (round 0 = {@code first}): this model as the reviser of another
     * model's answers, as PIT revises the policy model's responses. Round {@code k}'s randomness is {@code rng.split("round-k")}.
     */
    public Rounds revise(NDManager manager, List<String> prompts, List<String> first, int rounds, ResponseGenerator.Settings settings,
                         Rng rng) {
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
        }
        if (first.size() != prompts.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + first.size() + " first responses");
        }
        List<List<String>> all = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        List<String> current = List.copyOf(first);
        all.add(current);
        kept.add(0);
        for (int k = 1; k <= rounds; k++) {
            List<Integer> decode = new ArrayList<>();
            List<String> revisionPrompts = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                String p = RevisionPrompt.revise(prompts.get(i), current.get(i));
                if (generator.promptIds(p).length + minRoom <= model.config().maxPositions()) {
                    decode.add(i);
                    revisionPrompts.add(p);
                }
            }
            List<String> revised = revisionPrompts.isEmpty() ? List.of()
                    : generator.respond(manager, revisionPrompts, settings, rng.split("round-" + k));
            List<String> next = new ArrayList<>(current);
            for (int j = 0; j < decode.size(); j++) {
                next.set(decode.get(j), revised.get(j));
            }
            current = List.copyOf(next);
            all.add(current);
            kept.add(prompts.size() - decode.size());
        }
        return new Rounds(List.copyOf(all), List.copyOf(kept));
    }
}
