package dev.fulcrum.lm.iterative;

import dev.fulcrum.core.io.Json;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.train.ResponseGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * On-policy preference pairs, the data of DPO's on-policy setting (Rafailov et al. 2023, section 6; TRL's online DPO):
 * {@code K} responses per prompt sampled from the policy that will be trained ({@link PolicySampler} with
 * {@link Settings#sampling()}) are scored by the
 * gold reward, and the best is paired against the worst when their reward gap is at least {@code minGap}
 * ({@link PairSelection.ScalarReward}: prompts whose samples all tie, differ by less than the gap, or are blank give no
 * pair) and the best one's reward is at least {@code minChosenReward}. The gold order is the order a Bradley-Terry oracle over the gold reward prefers in expectation; each row carries
 * that oracle's probability {@code p_chosen = P(chosen > rejected)} (read by the idealised ranking accuracy) and both gold
 * rewards.
 */
public final class OnPolicyPairs {

    /**
     * @param samplesPerPrompt responses sampled per prompt (K, at least 2)
     * @param temperature      sampling temperature (positive)
     * @param minGap           smallest gold-reward gap between the best and the worst sample that gives a pair
     * @param minChosenReward  smallest gold reward of the chosen (best) sample: 0 keeps every pair; near 1 keeps only pairs
     *                         whose chosen response solves the problem (Iterative RPO's correct-vs-incorrect pairs)
     * @param maxNewTokens     response budget
     * @param maxToolCalls     tool calls executed per response
     * @param batchSize        sequences decoded together
     */
    public record Settings(int samplesPerPrompt, double temperature, double minGap, double minChosenReward, int maxNewTokens,
                           int maxToolCalls, int batchSize) {
        public Settings {
            if (samplesPerPrompt < 2) {
                throw new IllegalArgumentException("on-policy pairs need at least 2 samples per prompt, got " + samplesPerPrompt);
            }
            if (!(temperature > 0) || !Double.isFinite(temperature)) {
                throw new IllegalArgumentException("the sampling temperature must be positive, got " + temperature);
            }
            if (!(minGap >= 0 && minGap <= 1)) {
                throw new IllegalArgumentException("the gold-reward gap must be in [0, 1], got " + minGap);
            }
            if (!(minChosenReward >= 0 && minChosenReward <= 1)) {
                throw new IllegalArgumentException("the chosen response's smallest gold reward must be in [0, 1], got " + minChosenReward);
            }
            if (maxNewTokens <= 0 || maxToolCalls < 0 || batchSize <= 0) {
                throw new IllegalArgumentException("need a positive response budget and batch size and non-negative tool calls");
            }
        }

        /** The generator settings of the samples (temperature sampling, no top-k or top-p cut). */
        public ResponseGenerator.Settings sampling() {
            return new ResponseGenerator.Settings(maxNewTokens, maxToolCalls, temperature, 0, 1, batchSize);
        }
    }

    /**
     * What the samples looked like: mean gold reward of all samples, of each prompt's best and worst sample (best-of-K),
     * the pairs kept and their mean gap, and the prompts left without a pair.
     */
    public record Stats(int prompts, int samples, int pairs, int promptsWithoutPair, double meanSampleReward,
                        double meanBestReward, double meanWorstReward, double meanPairGap, double samplesPerSecond) {
    }

    public record Built(List<PreferenceExample> pairs, Stats stats) {
    }

    private OnPolicyPairs() {
    }

    /** The pairs of given samples ({@code samples.get(i)} answer {@code problems.get(i)}), best vs worst by gold reward. */
    public static Built fromSamples(List<Problem> problems, List<List<String>> samples, double minGap, PreferenceOracle oracle,
                                    double samplesPerSecond) {
        return fromSamples(problems, samples, minGap, 0, oracle, samplesPerSecond);
    }

    /** As above, keeping only pairs whose chosen response's gold reward is at least {@code minChosenReward}. */
    public static Built fromSamples(List<Problem> problems, List<List<String>> samples, double minGap, double minChosenReward,
                                    PreferenceOracle oracle, double samplesPerSecond) {
        if (problems.size() != samples.size()) {
            throw new IllegalArgumentException("need one list of samples per problem, got " + samples.size() + " for "
                    + problems.size() + " problems");
        }
        PairSelection selection = new PairSelection.ScalarReward(minGap);
        List<PreferenceExample> pairs = new ArrayList<>();
        double sampleReward = 0, best = 0, worst = 0, gap = 0;
        int count = 0;
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            List<String> candidates = samples.get(i);
            if (candidates.size() < 2) {
                throw new IllegalArgumentException("problem " + i + " (" + p.family() + ") has " + candidates.size()
                        + " samples; pairs need at least 2");
            }
            double hi = Double.NEGATIVE_INFINITY, lo = Double.POSITIVE_INFINITY;
            for (String c : candidates) {
                double r = p.score(c);
                sampleReward += r;
                hi = Math.max(hi, r);
                lo = Math.min(lo, r);
            }
            count += candidates.size();
            best += hi;
            worst += lo;
            Optional<PairSelection.Pair> pair = selection.select(p, candidates, oracle).filter(x -> x.chosenScore() >= minChosenReward);
            if (pair.isPresent()) {
                PairSelection.Pair s = pair.get();
                gap += s.margin();
                pairs.add(IterativePreferenceLoop.example(s).withExtra(Map.of(
                        "p_chosen", Json.MAPPER.valueToTree(oracle.probability(p, s.chosen(), s.rejected())))));
            }
        }
        int n = problems.size();
        Stats stats = new Stats(n, count, pairs.size(), n - pairs.size(), count == 0 ? Double.NaN : sampleReward / count,
                n == 0 ? Double.NaN : best / n, n == 0 ? Double.NaN : worst / n, pairs.isEmpty() ? Double.NaN : gap / pairs.size(),
                samplesPerSecond);
        return new Built(List.copyOf(pairs), stats);
    }
}
