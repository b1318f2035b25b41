package dev.fulcrum.cli;

import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.experiment.lm.RankingAccuracyExperiment;
import dev.fulcrum.lm.iterative.OnPolicyPairs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment ranking-accuracy}: ranking accuracy, flips and win rate of DPO-trained policies. */
@Command(name = "ranking-accuracy", mixinStandardHelpOptions = true,
        description = {"Chen et al. (2024) on the task suite: DPO and other pair losses from the shared SFT base model on "
                + "Bradley-Terry-labelled held-in pairs; ranking accuracy (observed, length-normalised, idealised), flips of the "
                + "reference's rankings, and oracle win rate against the SFT model, over seeds.",
                "Writes the report (default docs/results/ranking-accuracy.md) and its chart."})
final class ExperimentRankingAccuracyCommand implements Callable<Integer> {
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds per loss (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--losses", split = ",", defaultValue = "sigmoid,ipo",
            description = "Pair losses; the first is the one the verdicts are about (default: ${DEFAULT-VALUE}).")
    List<String> losses;
    @Option(names = "--per-family", defaultValue = "40", description = "Training problems per held-in family (default: ${DEFAULT-VALUE}).")
    int perFamily;
    @Option(names = "--held-out-per-family", defaultValue = "8", description = "Held-out problems per family (default: ${DEFAULT-VALUE}).")
    int heldOutPerFamily;
    @Option(names = "--data-seed", defaultValue = "1", description = "Problem and label seed (default: ${DEFAULT-VALUE}).")
    long dataSeed;
    @Option(names = "--steps", defaultValue = "200", description = "Updates per run (default: ${DEFAULT-VALUE}).")
    long steps;
    @Option(names = "--batch-size", defaultValue = "16", description = "Pairs per update (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--learning-rate", defaultValue = "1e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;
    @Option(names = "--eval-per-family", defaultValue = "20", description = "Win-rate problems per held-in family (default: ${DEFAULT-VALUE}).")
    int evalPerFamily;
    @Option(names = "--train-sample", defaultValue = "400", description = "Training pairs diagnosed (default: ${DEFAULT-VALUE}).")
    int trainSample;
    @Option(names = "--pairs", split = ",", defaultValue = "oracle",
            description = "Pair sources: oracle (ranked reference and corruptions, off-policy) and/or on-policy (best vs worst of "
                    + "K samples of the SFT model by gold reward) (default: ${DEFAULT-VALUE}).")
    List<String> pairs;
    @Option(names = "--samples-per-prompt", defaultValue = "8", description = "On-policy: responses sampled per training problem (default: ${DEFAULT-VALUE}).")
    int samplesPerPrompt;
    @Option(names = "--temperature", defaultValue = "0.8", description = "On-policy: sampling temperature (default: ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--min-gap", defaultValue = "0.1", description = "On-policy: smallest gold-reward gap of a pair (default: ${DEFAULT-VALUE}).")
    double minGap;
    @Option(names = "--min-chosen-reward", defaultValue = "0",
            description = "On-policy: smallest gold reward of a pair's chosen response (default: ${DEFAULT-VALUE}).")
    double minChosenReward;
    @Option(names = "--on-policy-per-family", defaultValue = "200",
            description = "On-policy: training problems per family sampled for (the oracle pairs' first, then further ones) (default: ${DEFAULT-VALUE}).")
    int onPolicyPerFamily;
    @Option(names = "--on-policy-epochs", defaultValue = "2", description = "On-policy: passes over the pairs (default: ${DEFAULT-VALUE}).")
    double onPolicyEpochs;
    @Option(names = "--on-policy-learning-rate", defaultValue = "5e-5",
            description = "On-policy: peak learning rate (default: ${DEFAULT-VALUE}).")
    double onPolicyLearningRate;
    @Option(names = "--first-seed", defaultValue = "0", description = "First training seed; tune on seeds that are not reported (default: ${DEFAULT-VALUE}).")
    long firstSeed;
    @Option(names = "--eval-temperature", defaultValue = "0", description = "0: greedy win-rate responses (default); above 0: one "
            + "response per problem sampled at this temperature, every model from the same random stream.")
    double evalTemperature;
    @Option(names = "--eval-seed", defaultValue = "1000003", description = "Problem seed of the win-rate problems (default: ${DEFAULT-VALUE}).")
    long evalSeed;
    @Option(names = {"--set", "-s"}, description = "Further key=value settings of every run (repeatable).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--smoke", description = "Start from the few-second test base model instead of the standard one.")
    boolean smoke;
    @Option(names = "--base", defaultValue = "standard",
            description = "Base SFT model: standard (references only) or noisy (BaseSft.Spec.noisyDemonstrations: half of the "
                    + "demonstrations are graded corruptions; pairs and win rate on its families) (default: ${DEFAULT-VALUE}).")
    String base;
    @Option(names = "--corrupted-share", defaultValue = "0.5",
            description = "With --base noisy: share of the demonstrations that are graded corruptions; 0 gives the same model "
                    + "trained on references only (the control) (default: ${DEFAULT-VALUE}).")
    double corruptedShare;
    @Option(names = "--work", defaultValue = "runs/ranking-accuracy", description = "Where data and runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/ranking-accuracy.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        var settings = new RankingAccuracyExperiment.Settings(seeds, losses, perFamily, heldOutPerFamily, dataSeed, steps, batchSize,
                learningRate, evalPerFamily, trainSample, overrides, work, report, smoke ? BaseSft.Spec.smoke() : baseSpec(base, corruptedShare),
                pairs, new RankingAccuracyExperiment.OnPolicy(new OnPolicyPairs.Settings(samplesPerPrompt, temperature, minGap, minChosenReward, 160, 4, 64),
                onPolicyPerFamily, onPolicyEpochs, onPolicyLearningRate), firstSeed, evalSeed, evalTemperature);
        RankingAccuracyExperiment.Outcome o = RankingAccuracyExperiment.run(settings, !noProgress && Terminal.interactive());
        o.verdicts().forEach(System.out::println);
        System.out.println("report: " + report);
        return 0;
    }

    private static BaseSft.Spec baseSpec(String name, double corruptedShare) {
        return switch (name) {
            case "standard" -> BaseSft.Spec.standard();
            case "noisy" -> BaseSft.Spec.noisyDemonstrations(corruptedShare);
            default -> throw new IllegalArgumentException("--base must be standard or noisy, got '" + name + "'");
        };
    }
}
