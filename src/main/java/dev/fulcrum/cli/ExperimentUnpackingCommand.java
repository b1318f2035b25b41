package dev.fulcrum.cli;

import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.experiment.lm.PpoMaxExperiment;
import dev.fulcrum.experiment.lm.UnpackingExperiment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment unpacking}: the four-factor "Unpacking DPO and PPO" ablation from the shared SFT model. */
@Command(name = "unpacking", mixinStandardHelpOptions = true,
        description = {"Unpacking DPO and PPO (Ivison et al. 2024): data quality, DPO vs PPO, reward-model size and extra "
                + "unlabelled prompts, changed one at a time from the shared SFT model, over seeds; win rate against the SFT model "
                + "and gold reward on fresh held-in problems; writes docs/results/unpacking.md.",
                "Cells: dpo-low-data, dpo, ppo-small-rm, ppo, ppo-extra-prompts. The smaller reward model starts from the 'tiny' "
                        + "SFT model of 'experiment ppo-max --base tiny' (trained once and cached)."})
final class ExperimentUnpackingCommand implements Callable<Integer> {
    @Option(names = "--cells", split = ",", defaultValue = "dpo-low-data,dpo,ppo-small-rm,ppo,ppo-extra-prompts",
            description = "Cells to run (default: ${DEFAULT-VALUE}).")
    List<String> cells;
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds per cell (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--first-seed", defaultValue = "0", description = "First seed (default: ${DEFAULT-VALUE}).")
    long firstSeed;
    @Option(names = "--per-family", defaultValue = "60", description = "Labelled problems per family (default: ${DEFAULT-VALUE}).")
    int perFamily;
    @Option(names = "--pairs-per-family", defaultValue = "150", description = "Preference pairs per family (default: ${DEFAULT-VALUE}).")
    int pairsPerFamily;
    @Option(names = "--extra-prompt-factor", defaultValue = "4",
            description = "PPO's pool with extra prompts is this many times the labelled one (default: ${DEFAULT-VALUE}).")
    int extraPromptFactor;
    @Option(names = "--dpo-steps", defaultValue = "200", description = "DPO updates (default: ${DEFAULT-VALUE}).")
    long dpoSteps;
    @Option(names = "--dpo-batch-size", defaultValue = "16", description = "Pairs per DPO update (default: ${DEFAULT-VALUE}).")
    int dpoBatchSize;
    @Option(names = "--dpo-learning-rate", defaultValue = "1e-4", description = "DPO peak learning rate (default: ${DEFAULT-VALUE}).")
    double dpoLearningRate;
    @Option(names = "--ppo-iterations", defaultValue = "20", description = "PPO iterations of 32 rollouts (default: ${DEFAULT-VALUE}).")
    int ppoIterations;
    @Option(names = "--ppo-learning-rate", defaultValue = "1e-4", description = "PPO learning rate (default: ${DEFAULT-VALUE}).")
    double ppoLearningRate;
    @Option(names = "--reward-steps", defaultValue = "60", description = "Reward-model updates of 32 pairs (default: ${DEFAULT-VALUE}).")
    long rewardSteps;
    @Option(names = "--eval-per-family", defaultValue = "30", description = "Evaluation problems per family (default: ${DEFAULT-VALUE}).")
    int evalPerFamily;
    @Option(names = "--ppo-set", description = "Settings key=value for every PPO run (PpoRunConfig fields, e.g. ppo.klCoef=0.1).")
    List<String> ppoOverrides = new java.util.ArrayList<>();
    @Option(names = "--work", defaultValue = "runs/unpacking", description = "Where the runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/unpacking.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    boolean noProgress;

    @Override
    public Integer call() {
        var s = new UnpackingExperiment.Settings(cells, seeds, firstSeed, perFamily, pairsPerFamily, extraPromptFactor, dpoSteps,
                dpoBatchSize, dpoLearningRate, ppoIterations, ppoLearningRate, rewardSteps, evalPerFamily, BaseSft.Spec.standard(),
                PpoMaxExperiment.tinyBase(), BaseSft.cacheRoot(), ppoOverrides, work, report);
        UnpackingExperiment.Outcome o = UnpackingExperiment.run(s, !noProgress && Terminal.interactive());
        System.out.println("report: " + o.report());
        return 0;
    }
}
