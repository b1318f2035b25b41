package dev.fulcrum.lm.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Supervised and preference datasets made from the task suite's oracles, with no model involved.
 *
 * <p>Every row carries its provenance: {@code family}, {@code split}, {@code seed} and {@code index} (enough to regenerate
 * the problem with {@link TaskSuite#problem} and score new responses) and {@code steps}. Preference rows add, for the
 * responses of one problem ranked {@code level} 0 (the reference) to k (its k-th graded corruption), the levels and gold
 * rewards of both responses and {@code p_chosen}, the labelling oracle's probability that the chosen response beats the
 * rejected one.
 *
 * <p>Conversational rows put the prompt (without its final newline) in a user message and the response in an assistant
 * message.
 */
public final class OracleDatasets {
    /** A problem with the coordinates that regenerate it. */
    public record Source(Problem problem, String split, long seed, int index) {
    }

    private OracleDatasets() {
    }

    /** Problems 0..perFamily-1 of each named family. */
    public static List<Source> sources(List<String> families, long seed, int perFamily) {
        List<Source> out = new ArrayList<>();
        for (String f : families) {
            String split = TaskSuite.family(f).split().label();
            for (int i = 0; i < perFamily; i++) {
                out.add(new Source(TaskSuite.problem(f, seed, i), split, seed, i));
            }
        }
        return out;
    }

    /** One example per problem: its prompt and reference. */
    public static List<SftExample> sft(List<Source> sources, boolean conversational) {
        List<SftExample> out = new ArrayList<>();
        for (Source s : sources) {
            Problem p = s.problem();
            out.add(new SftExample(prompt(p, conversational), response(p.reference(), conversational), provenance(s)));
        }
        return out;
    }

    /**
     * Mixed-quality demonstrations: one example per problem whose completion is one of the problem's graded corruptions
     * (uniformly chosen) with probability {@code corruptedShare}, otherwise its reference. The draw of problem
     * {@code (family, seed, index)} comes from {@code rng.split(family).split("problem-" + index)}, so it does not depend on
     * which other problems are in the list. Rows carry {@code level}: 0 for the reference, k for the k-th corruption.
     */
    public static List<SftExample> sftWithCorruptions(List<Source> sources, double corruptedShare, Rng rng, boolean conversational) {
        if (!(corruptedShare >= 0 && corruptedShare <= 1)) {
            throw new IllegalArgumentException("corruptedShare must be in [0, 1], got " + corruptedShare);
        }
        List<SftExample> out = new ArrayList<>();
        for (Source s : sources) {
            Problem p = s.problem();
            Rng draw = rng.split(p.family()).split("problem-" + s.index());
            int level = 0;
            if (draw.nextDouble() < corruptedShare && !p.corruptions().isEmpty()) {
                level = 1 + draw.nextInt(p.corruptions().size());
            }
            String completion = level == 0 ? p.reference() : p.corruptions().get(level - 1);
            Map<String, JsonNode> extra = provenance(s);
            extra.put("level", Json.MAPPER.valueToTree(level));
            out.add(new SftExample(prompt(p, conversational), response(completion, conversational), extra));
        }
        return out;
    }

    /**
     * Every pair of the problem's ranked responses (reference and corruptions: 10 pairs for 4 corruptions). With
     * {@code oracle == null} the better response is chosen (gold labels, {@code p_chosen} = 1); otherwise the label is drawn
     * from the oracle, so a pair may come out reversed with the oracle's probability.
     */
    public static List<PreferenceExample> preferences(List<Source> sources, PreferenceOracle oracle, Rng rng, boolean conversational) {
        List<PreferenceExample> out = new ArrayList<>();
        for (Source s : sources) {
            Problem p = s.problem();
            List<String> ranked = new ArrayList<>();
            ranked.add(p.reference());
            ranked.addAll(p.corruptions());
            for (int better = 0; better < ranked.size(); better++) {
                for (int worse = better + 1; worse < ranked.size(); worse++) {
                    int chosen = better, rejected = worse;
                    double pChosen = 1.0;
                    if (oracle != null) {
                        double pBetter = oracle.probability(p, ranked.get(better), ranked.get(worse));
                        boolean betterWins = rng.nextDouble() < pBetter;
                        chosen = betterWins ? better : worse;
                        rejected = betterWins ? worse : better;
                        pChosen = betterWins ? pBetter : 1 - pBetter;
                    }
                    Map<String, JsonNode> extra = provenance(s);
                    extra.put("chosen_level", Json.MAPPER.valueToTree(chosen));
                    extra.put("rejected_level", Json.MAPPER.valueToTree(rejected));
                    extra.put("chosen_reward", Json.MAPPER.valueToTree(p.score(ranked.get(chosen))));
                    extra.put("rejected_reward", Json.MAPPER.valueToTree(p.score(ranked.get(rejected))));
                    extra.put("p_chosen", Json.MAPPER.valueToTree(pChosen));
                    out.add(new PreferenceExample(prompt(p, conversational), response(ranked.get(chosen), conversational),
                            response(ranked.get(rejected), conversational), extra));
                }
            }
        }
        return out;
    }

    private static Content prompt(Problem p, boolean conversational) {
        return conversational ? Content.chat(Message.user(p.prompt().stripTrailing())) : Content.text(p.prompt());
    }

    private static Content response(String text, boolean conversational) {
        return conversational ? Content.chat(Message.assistant(text)) : Content.text(text);
    }

    private static Map<String, JsonNode> provenance(Source s) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        m.put("family", Json.MAPPER.valueToTree(s.problem().family()));
        m.put("split", Json.MAPPER.valueToTree(s.split()));
        m.put("seed", Json.MAPPER.valueToTree(s.seed()));
        m.put("index", Json.MAPPER.valueToTree(s.index()));
        m.put("steps", Json.MAPPER.valueToTree(s.problem().steps()));
        return m;
    }
}
