package dev.fulcrum.cli;

import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.experiment.lm.PitExperiment;
import dev.fulcrum.lm.pit.PitSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment pit}: PIT's revisions vs the original responses and a prompting-only reviser, rounds 1..K. */
@Command(name = "pit", mixinStandardHelpOptions = true,
        description = {"PIT (Wang et al. 2023) from the shared SFT base, one PIT run per seed on Bradley-Terry-labelled pairs of "
                + "held-in families; mean gold reward and oracle win rate against the base's answers for revision rounds 0..K, "
                + "PIT against the base revising itself (prompting only), the reviser SFT and the stage-1 policy.",
                "Writes the report (default docs/results/pit.md) and pit.png beside it."})
final class ExperimentPitCommand implements Callable<Integer> {
    private final PitSettings d = PitSettings.defaults("-");

    @Option(names = "--families", split = ",", defaultValue = "arith-add,sort-asc,str-reverse",
            description = "Held-in families: pairs, RL prompts and evaluation (default: ${DEFAULT-VALUE}).")
    List<String> families;
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--rounds", defaultValue = "3", description = "Revision rounds (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--eval-problems", defaultValue = "30", description = "Evaluation problems per family (default: ${DEFAULT-VALUE}).")
    int evalProblems;
    @Option(names = "--pair-problems", defaultValue = "40", description = "Problems per family for pairs (default: ${DEFAULT-VALUE}).")
    int pairProblems;
    @Option(names = "--max-pairs", defaultValue = "600", description = "Pairs kept per seed (default: ${DEFAULT-VALUE}).")
    int maxPairs;
    @Option(names = "--reviser-steps", defaultValue = "150", description = "Reviser SFT updates (default: ${DEFAULT-VALUE}).")
    long reviserSteps;
    @Option(names = "--reward-steps", defaultValue = "120", description = "Gap reward model updates (default: ${DEFAULT-VALUE}).")
    long rewardSteps;
    @Option(names = "--stage1-iterations", defaultValue = "15", description = "PPO iterations of stage 1 (default: ${DEFAULT-VALUE}).")
    int stage1;
    @Option(names = "--stage2-iterations", defaultValue = "15", description = "PPO iterations of stage 2 (default: ${DEFAULT-VALUE}).")
    int stage2;
    @Option(names = "--stage2-prompts", defaultValue = "128", description = "Stage-2 drafts sampled by the stage-1 policy (default: ${DEFAULT-VALUE}).")
    int stage2Prompts;
    @Option(names = "--reviser-set", description = "Reviser SFT setting key=value.")
    List<String> reviserSet = new ArrayList<>();
    @Option(names = "--reward-set", description = "Gap reward model setting key=value.")
    List<String> rewardSet = new ArrayList<>();
    @Option(names = "--ppo-set", description = "PPO setting key=value (both stages).")
    List<String> ppoSet = new ArrayList<>();
    @Option(names = "--work", defaultValue = "runs/pit", description = "Where the runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/pit.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        PitSettings pit = new PitSettings("-", families, pairProblems, d.dataSeed(), d.oracleTemperature(), maxPairs, 0, reviserSteps,
                rewardSteps, stage1, stage2, stage2Prompts, d.maxNewTokens(), concat(d.reviserOverrides(), reviserSet),
                concat(d.rewardOverrides(), rewardSet), concat(d.ppoOverrides(), ppoSet));
        var outcome = PitExperiment.run(new PitExperiment.Settings(BaseSft.Spec.standard(), families, seeds, rounds, evalProblems, pit,
                work, report), !noProgress && Terminal.interactive());
        System.out.println(outcome.verdict());
        System.out.println("report: " + report);
        return 0;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
