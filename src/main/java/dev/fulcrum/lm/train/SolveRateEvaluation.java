package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.task.GoldReward;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.Split;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How well a policy solves task problems: greedy responses (tools executed, {@link ResponseGenerator}) to fresh problems
 * of each family, scored by the oracle's {@link GoldReward}. A problem is solved when its gold reward is 1. Reported per
 * family and per split (in-distribution families, held-out families), with whether the family occurred in the training
 * data.
 */
public final class SolveRateEvaluation {
    private static final double SOLVED = 1 - 1e-9;

    /**
     * One family's numbers.
     *
     * @param trained            whether the family occurred in the training data
     * @param promptsSeenInTraining whether these problems' prompts were training prompts (only for a family whose whole
     *                           prompt space the training data covers, see {@link #problems})
     */
    public record FamilyScore(String family, String split, boolean trained, boolean promptsSeenInTraining, int problems, int solved,
                              double meanReward) {
        public double solveRate() {
            return problems == 0 ? Double.NaN : (double) solved / problems;
        }
    }

    /** A scored response (kept for inspection: summary.json shows a few per family). */
    public record Sample(String family, String prompt, String response, double reward) {
    }

    public record Result(List<FamilyScore> families, List<Sample> samples) {
        /** Flat metrics: {@code solve_rate.SPLIT}, {@code gold_reward.SPLIT}, then per family. */
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (Split s : Split.values()) {
                int problems = 0, solved = 0;
                double reward = 0;
                for (FamilyScore f : families) {
                    if (f.split().equals(s.label())) {
                        problems += f.problems();
                        solved += f.solved();
                        reward += f.meanReward() * f.problems();
                    }
                }
                if (problems > 0) {
                    m.put("solve_rate." + s.label(), (double) solved / problems);
                    m.put("gold_reward." + s.label(), reward / problems);
                }
            }
            for (FamilyScore f : families) {
                m.put("solve_rate." + f.family(), f.solveRate());
                m.put("gold_reward." + f.family(), f.meanReward());
            }
            return m;
        }
    }

    /** A fixed set of evaluation problems; {@code seenFamilies}: families evaluated on training prompts. */
    public record Problems(List<Problem> problems, Set<String> trainedFamilies, int skippedAsSeen, Set<String> seenFamilies) {
    }

    private SolveRateEvaluation() {
    }

    /**
     * The evaluation problems of {@code settings}: for {@code families = auto}, the training families plus every held-out
     * family. Problems whose prompt occurs in {@code trainingPrompts} are skipped, so held-in scores are on unseen problems;
     * a family none of whose problems is unseen (a small prompt space, such as {@code tool-price}'s 160 prompts, that the
     * training data covers) is evaluated on its problems as they are and flagged in {@code seenFamilies}.
     */
    public static Problems problems(SolveRateSettings settings, Set<String> trainingFamilies, Set<String> trainingPrompts) {
        Set<TaskFamily> families = new LinkedHashSet<>();
        if (settings.families().strip().equals("auto")) {
            trainingFamilies.stream().filter(f -> TaskSuite.families().stream().anyMatch(t -> t.name().equals(f)))
                    .map(TaskSuite::family).forEach(families::add);
            families.addAll(TaskSuite.families(Split.HELD_OUT));
        } else {
            families.addAll(TaskSuite.select(settings.families()));
        }
        List<Problem> out = new ArrayList<>();
        Set<String> seenFamilies = new LinkedHashSet<>();
        int skipped = 0;
        for (TaskFamily f : families) {
            List<Problem> all = TaskSuite.problems(f, settings.seed(), settings.problemsPerFamily());
            List<Problem> unseen = all.stream().filter(p -> !trainingPrompts.contains(p.prompt())).toList();
            if (unseen.isEmpty()) {
                seenFamilies.add(f.name());
                out.addAll(all);
            } else {
                skipped += all.size() - unseen.size();
                out.addAll(unseen);
            }
        }
        return new Problems(out, trainingFamilies, skipped, seenFamilies);
    }

    /** Generates a response to every problem and scores it; keeps {@code samplesPerFamily} example responses per family. */
    public static Result evaluate(ResponseGenerator generator, NDManager manager, Problems problems, SolveRateSettings settings,
                                  int samplesPerFamily) {
        List<Problem> list = problems.problems();
        List<String> responses = generator.respond(manager, list.stream().map(Problem::prompt).toList(),
                ResponseGenerator.Settings.greedy(settings.maxNewTokens(), settings.maxToolCalls(), settings.batchSize()),
                new Rng(settings.seed()));
        return score(list, responses, problems.trainedFamilies(), problems.seenFamilies(), samplesPerFamily);
    }

    /** Scores given responses (one per problem) with the problems' gold reward. */
    public static Result score(List<Problem> list, List<String> responses, Set<String> trainedFamilies, Set<String> seenFamilies,
                               int samplesPerFamily) {
        if (list.size() != responses.size()) {
            throw new IllegalArgumentException(list.size() + " problems but " + responses.size() + " responses");
        }
        GoldReward gold = new GoldReward(list);
        Map<String, double[]> byFamily = new LinkedHashMap<>(); // problems, solved, reward sum
        List<Sample> samples = new ArrayList<>();
        Map<String, Integer> kept = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Problem p = list.get(i);
            double r = gold.score(p.prompt(), responses.get(i));
            double[] acc = byFamily.computeIfAbsent(p.family(), k -> new double[3]);
            acc[0]++;
            acc[1] += r >= SOLVED ? 1 : 0;
            acc[2] += r;
            if (kept.merge(p.family(), 1, Integer::sum) <= samplesPerFamily) {
                samples.add(new Sample(p.family(), p.prompt(), responses.get(i), r));
            }
        }
        List<FamilyScore> scores = new ArrayList<>();
        byFamily.forEach((family, acc) -> scores.add(new FamilyScore(family, TaskSuite.family(family).split().label(),
                trainedFamilies.contains(family), seenFamilies.contains(family), (int) acc[0], (int) acc[1], acc[2] / acc[0])));
        return new Result(scores, samples);
    }
}
