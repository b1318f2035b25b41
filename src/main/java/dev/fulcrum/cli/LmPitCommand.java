package dev.fulcrum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.lm.pit.Pit;
import dev.fulcrum.lm.pit.PitSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum lm pit}: PIT (implicit self-improvement, lm.pit.Pit) for one seed into a run folder. */
@Command(name = "pit", mixinStandardHelpOptions = true,
        description = {"PIT (Wang et al. 2023) from an SFT model: reviser SFT on (x, yl) -> yw, a gap reward model R(x, y_ref, y) "
                + "trained with Bradley-Terry over five orderings of each pair, then PPO on revision prompts with reward R and KL "
                + "to the reviser SFT, in two curriculum stages (drafts from the data, then from the stage-1 policy).",
                "Writes OUT/pairs.jsonl, OUT/reviser-sft, OUT/gap-reward, OUT/stage1, OUT/stage2 (run folders) and OUT/pit.json; "
                        + "a rerun keeps finished parts. Revise with the result: the SFT model answers, OUT/stage2/model revises."})
final class LmPitCommand implements Callable<Integer> {
    private final PitSettings d = PitSettings.defaults("-");

    @Option(names = "--init", required = true, description = "The SFT model: a finished 'lm sft' run or model directory.")
    Path init;
    @Option(names = "--out", required = true, description = "Run folder.")
    Path out;
    @Option(names = "--families", split = ",", description = "Task families of the pairs and RL prompts (default: arith-add,sort-asc,str-reverse).")
    List<String> families;
    @Option(names = "--pair-problems", description = "Problems per family for pairs (default: 40).")
    Integer pairProblems;
    @Option(names = "--data-seed", description = "Problem seed of the pairs (default: 100).")
    Long dataSeed;
    @Option(names = "--max-pairs", description = "Pairs kept (default: 600).")
    Integer maxPairs;
    @Option(names = "--seed", description = "Seed (default: 0).")
    Long seed;
    @Option(names = "--reviser-steps", description = "Reviser SFT updates (default: 150).")
    Long reviserSteps;
    @Option(names = "--reward-steps", description = "Gap reward model updates (default: 120).")
    Long rewardSteps;
    @Option(names = "--stage1-iterations", description = "PPO iterations of stage 1 (default: 15).")
    Integer stage1;
    @Option(names = "--stage2-iterations", description = "PPO iterations of stage 2; 0: no stage 2 (default: 15).")
    Integer stage2;
    @Option(names = "--stage2-prompts", description = "Stage-1 prompts whose revisions become stage-2 drafts (default: 128).")
    Integer stage2Prompts;
    @Option(names = "--max-new-tokens", description = "Response budget (default: 48).")
    Integer maxNewTokens;
    @Option(names = "--reviser-set", description = "Reviser SFT setting key=value (LmTrainConfig).")
    List<String> reviserSet = new ArrayList<>();
    @Option(names = "--reward-set", description = "Gap reward model setting key=value (LmTrainConfig, objective pit-reward).")
    List<String> rewardSet = new ArrayList<>();
    @Option(names = "--ppo-set", description = "PPO setting key=value for both stages (PpoRunConfig).")
    List<String> ppoSet = new ArrayList<>();
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        PitSettings s = new PitSettings(init.toString(), families != null ? families : d.families(),
                pairProblems != null ? pairProblems : d.pairProblems(), dataSeed != null ? dataSeed : d.dataSeed(), d.oracleTemperature(),
                maxPairs != null ? maxPairs : d.maxPairs(), seed != null ? seed : d.seed(),
                reviserSteps != null ? reviserSteps : d.reviserSteps(), rewardSteps != null ? rewardSteps : d.rewardSteps(),
                stage1 != null ? stage1 : d.stage1Iterations(), stage2 != null ? stage2 : d.stage2Iterations(),
                stage2Prompts != null ? stage2Prompts : d.stage2Prompts(), maxNewTokens != null ? maxNewTokens : d.maxNewTokens(),
                concat(d.reviserOverrides(), reviserSet), concat(d.rewardOverrides(), rewardSet), concat(d.ppoOverrides(), ppoSet));
        Pit.Result r = Pit.run(s, out, !noProgress && Terminal.interactive());
        JsonNode gap = Json.MAPPER.valueToTree(r.summary().get("gap_reward_evaluation"));
        System.out.printf(Locale.ROOT, "pit: %d pairs; gap reward model held-out ordering accuracy %.3f%n",
                (Integer) r.summary().get("pairs"), gap.path("heldout_accuracy").asDouble(Double.NaN));
        for (String stage : List.of("stage1", "stage2")) {
            @SuppressWarnings("unchecked")
            Map<String, Double> t = (Map<String, Double>) r.summary().get(stage + "_trend");
            if (t != null && !t.isEmpty()) {
                System.out.printf(Locale.ROOT, "  %s: gap reward %.3f -> %.3f, rollout gold reward %.3f -> %.3f, KL %.2f -> %.2f%n", stage,
                        t.get("reward_raw_first"), t.get("reward_raw_last"), t.get("gold_reward_first"), t.get("gold_reward_last"),
                        t.get("kl_first"), t.get("kl_last"));
            }
        }
        System.out.println("PIT reviser: " + r.model() + " (summary: " + out.resolve(Pit.SUMMARY) + ")");
        return 0;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
