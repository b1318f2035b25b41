package dev.fulcrum.cli;

import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.experiment.lm.NashExperiment;
import dev.fulcrum.experiment.lm.NashPpoArm;
import dev.fulcrum.lm.iterative.PreferenceIterationTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment nash}: DNO and INPO vs iterative DPO and PPO (Bradley-Terry reward model) under intransitive and Bradley-Terry oracles. */
@Command(name = "nash", mixinStandardHelpOptions = true,
        description = {"DNO and INPO vs iterative DPO and PPO with a Bradley-Terry reward model from the shared SFT base model, under the intransitive and the "
                + "Bradley-Terry oracle: oracle win rate against the SFT model per iteration, over seeds.",
                "Writes the report (default docs/results/nash.md) and a PNG beside it; finished runs under --work are reused."})
final class ExperimentNashCommand implements Callable<Integer> {
    @Option(names = "--oracles", split = ",", defaultValue = "intransitive,bt", description = "Oracles (default: ${DEFAULT-VALUE}).")
    List<String> oracles;
    @Option(names = "--methods", split = ",", defaultValue = "dno,inpo,dpo,ppo", description = "Methods (default: ${DEFAULT-VALUE}).")
    List<String> methods;
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds per oracle and method (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--first-seed", defaultValue = "0", description = "First seed (default: ${DEFAULT-VALUE}).")
    long firstSeed;
    @Option(names = {"--set", "-s"}, description = "Settings key=value of every run (fields of lm iterate's config.json).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--work", defaultValue = "runs/nash", description = "Where the runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/nash.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--base-steps", defaultValue = "2500",
            description = "SFT updates of the base model: 2500 is BaseSft's standard spec; fewer gives a cheaper base of the same "
                    + "shape and data (default: ${DEFAULT-VALUE}).")
    long baseSteps;
    @Option(names = "--ppo-iterations", defaultValue = "0",
            description = "PPO iterations of method ppo; 0: as many rollouts as an iterative run samples (default: ${DEFAULT-VALUE}).")
    int ppoIterations;
    @Option(names = "--ppo-learning-rate", defaultValue = "1e-4", description = "PPO's learning rate (default: ${DEFAULT-VALUE}).")
    double ppoLearningRate;
    @Option(names = "--reward-steps", defaultValue = "60",
            description = "Updates of ppo's Bradley-Terry reward model, 32 pairs each (default: ${DEFAULT-VALUE}).")
    long rewardSteps;
    @Option(names = "--ppo-set", description = "Further key=value settings of every PPO run (fields of lm ppo's config.json).")
    List<String> ppoOverrides = new ArrayList<>();
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        BaseSft.Spec standard = BaseSft.Spec.standard();
        BaseSft.Spec base = baseSteps == standard.steps() ? standard : new BaseSft.Spec(standard.families(), standard.perFamily(),
                standard.dataSeed(), standard.modelSize(), baseSteps, standard.seed(), standard.overrides());
        NashExperiment.run(new NashExperiment.Settings(oracles, methods, seeds, firstSeed, overrides, work, report, base, null,
                        new NashPpoArm.Budget(ppoIterations, ppoLearningRate, rewardSteps, ppoOverrides)),
                new PreferenceIterationTrainer(), !noProgress && Terminal.interactive(), System.out::println);
        System.out.println("report: " + report);
        return 0;
    }
}
