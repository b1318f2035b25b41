package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.iterative.IterationTrainer;
import dev.fulcrum.lm.iterative.IterativePreferenceLoop;
import dev.fulcrum.lm.task.IntransitiveOracle;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.train.ModelDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Method {@code ppo} of the Nash experiment: oracle-labelled reward data, the reward model PPO reads, the shared metric. */
class NashPpoArmTest {

    private static String text(dev.fulcrum.lm.data.Content c) {
        return ((dev.fulcrum.lm.data.Content.Text) c).text();
    }

    /** Every pair of distinct samples, chosen = the oracle's more probable verdict; equal and blank samples give no pair. */
    @Test
    void labelsEveryDistinctPairByTheOracle() {
        Problem p = TaskSuite.problem("arith-add", 7, 0);
        PreferenceOracle longerWins = new PreferenceOracle() {
            @Override
            public double probability(Problem problem, String first, String second) {
                return first.length() == second.length() ? 0.5 : first.length() > second.length() ? 0.8 : 0.2;
            }

            @Override
            public String describe() {
                return "longer wins";
            }
        };
        List<PreferenceExample> pairs = NashPpoArm.labelledPairs(List.of(p), List.of(List.of("a", "bbb", "cc", "bbb", " ", "dd")),
                longerWins);
        // distinct non-blank: a, bbb, cc, dd; pairs among {a, bbb, cc, bbb, dd} minus equal texts and the cc/dd tie
        List<String> got = pairs.stream().map(e -> text(e.chosen()) + ">" + text(e.rejected())).toList();
        assertEquals(List.of("bbb>a", "cc>a", "bbb>a", "dd>a", "bbb>cc", "bbb>dd", "bbb>cc", "bbb>dd"), got);
        assertTrue(pairs.stream().allMatch(e -> e.extra().get("p_chosen").asDouble() == 0.8));
    }

    /** The whole arm beside DNO (policy unchanged) on the smoke base: data, reward model, PPO wiring, rows and report. */
    @Test
    void trainsTheRewardModelOnOracleLabelsAndPpoReadsIt(@TempDir Path dir) throws Exception {
        IterationTrainer unchanged = IterationTrainer.Request::init;
        Path report = dir.resolve("nash.md");
        NashPpoArm.Budget budget = new NashPpoArm.Budget(0, 1e-4, 2,
                List.of("ppo.criticPretrainSteps=1", "ppo.rolloutBatch=4", "ppo.minibatch=2", "eval.problemsPerFamily=1"));
        var settings = new NashExperiment.Settings(List.of("intransitive"), List.of("dno", "ppo"), 2, 0,
                List.of("iterations=1", "promptsPerFamily=1", "samplesPerPrompt=3", "maxNewTokens=16", "evalPromptsPerFamily=1",
                        "evalSamples=1", "dnoMargin=0"), dir.resolve("work"), report, BaseSft.Spec.smoke(), dir.resolve("cache"), budget);
        List<NashExperiment.Run> runs = NashExperiment.run(settings, unchanged, false, line -> { });
        assertEquals(4, runs.size());

        // reward data: pairs of the SFT samples on the tool-free training prompts, labelled by the intransitive oracle
        Path rm = dir.resolve("work/intransitive/ppo/reward-model");
        List<PreferenceExample> pairs = PreferenceJsonl.read(rm.resolve("pairs.jsonl"));
        Map<String, Problem> byPrompt = TaskSuite.select(dev.fulcrum.lm.rl.PpoRunConfig.DEFAULT_FAMILIES).stream()
                .map(f -> TaskSuite.problem(f.name(), 5_000_001, 0)).collect(Collectors.toMap(Problem::prompt, Function.identity()));
        assertEquals(5, byPrompt.size());
        IntransitiveOracle oracle = new IntransitiveOracle(0.1, 0.3);
        assertTrue(!pairs.isEmpty() && pairs.size() <= 5 * 3, "at most K(K-1)/2 = 3 pairs per prompt, got " + pairs.size());
        for (PreferenceExample e : pairs) {
            Problem p = byPrompt.get(text(e.prompt()));
            assertTrue(p != null, "a training prompt of a tool-free family: " + text(e.prompt()));
            assertTrue(oracle.probability(p, text(e.chosen()), text(e.rejected())) > 0.5, "the oracle prefers the chosen one");
        }
        assertTrue(Files.isDirectory(rm.resolve("train/model")));

        // PPO reads that reward model (the critic starts from it too) and is anchored at the SFT model
        for (long seed : List.of(0L, 1L)) {
            JsonNode cfg = Json.COMPACT.readTree(dir.resolve("work/intransitive/ppo/seed-" + seed + "/ppo/config.json").toFile());
            assertEquals(ModelDirectories.resolve(rm.resolve("train")).toString(), cfg.get("rewardModel").asText());
            assertEquals("model", cfg.path("ppo").path("reward").asText());
            assertEquals(seed, cfg.get("seed").asLong());
            // matched budget: 1 iteration x 7 families x 1 prompt x 3 samples = 21 samples, rollouts of 4: 6 iterations
            assertEquals(6, cfg.get("iterations").asInt());
            assertEquals(16, cfg.path("ppo").path("maxNewTokens").asInt());
        }

        // the same metric as the loop's: same opponent samples and streams, so iteration 0 coincides with DNO's per seed
        for (long seed : List.of(0L, 1L)) {
            NashExperiment.Run ppo = runs.stream().filter(r -> r.method().equals("ppo") && r.seed() == seed).findFirst().orElseThrow();
            NashExperiment.Run dno = runs.stream().filter(r -> r.method().equals("dno") && r.seed() == seed).findFirst().orElseThrow();
            assertEquals(List.of(0, 1), ppo.rows().stream().map(IterativePreferenceLoop.Row::iteration).toList());
            assertEquals(dno.rows().getFirst().winRate(), ppo.rows().getFirst().winRate(), 1e-12);
            assertEquals(dno.rows().getFirst().goldReward(), ppo.rows().getFirst().goldReward(), 1e-12);
            double w = ppo.rows().getLast().winRate();
            assertTrue(w >= 0 && w <= 1, "win rate " + w);
        }
        String md = Files.readString(report);
        assertTrue(md.contains("| ppo |") && md.contains("dno vs ppo") && md.contains("Verdict:"), md);

        // a second call reuses the reward model and the PPO runs
        Path summary = dir.resolve("work/intransitive/ppo/seed-1/ppo/summary.json"), rmSummary = rm.resolve("train/summary.json");
        var before = List.of(Files.getLastModifiedTime(summary), Files.getLastModifiedTime(rmSummary));
        List<NashExperiment.Run> again = NashExperiment.run(settings, unchanged, false, line -> { });
        assertEquals(before, List.of(Files.getLastModifiedTime(summary), Files.getLastModifiedTime(rmSummary)));
        assertEquals(runs.stream().map(NashExperiment.Run::rows).toList(), again.stream().map(NashExperiment.Run::rows).toList());
    }
}
