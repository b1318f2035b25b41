package dev.fulcrum.cli;

import dev.fulcrum.experiment.A2prExperiment;
import dev.fulcrum.experiment.OfflineBaselinesExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment ...}: each runs one paper's (or issue's) claim over seeds and writes docs/results/. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "Claim experiments with seeds, statistics and a verdict.",
        subcommands = {ExperimentCommand.OfflineBaselines.class, ExperimentCommand.A2pr.class, ExperimentParlCommand.class})
public final class ExperimentCommand extends GroupCommand {

    @Command(name = "offline-baselines", mixinStandardHelpOptions = true,
            description = "IQL and TD3+BC vs the behaviour policy and BC on a generated dataset.")
    static final class OfflineBaselines implements Callable<Integer> {
        @Option(names = "--env", defaultValue = "pendulum") String env;
        @Option(names = "--quality", defaultValue = "medium") String quality;
        @Option(names = "--transitions", defaultValue = "100000") int transitions;
        @Option(names = "--seeds", defaultValue = "3") int seeds;
        @Option(names = "--steps", defaultValue = "20000") long steps;
        @Option(names = "--eval-every", defaultValue = "2000") int evalEvery;
        @Option(names = "--eval-episodes", defaultValue = "20") int evalEpisodes;
        @Option(names = "--algos", split = ",", defaultValue = "bc,iql,td3bc") List<String> algos;
        @Option(names = {"--set", "-s"},
                description = "Training overrides key=value for every run.") List<String> overrides = new ArrayList<>();
        @Option(names = "--work", defaultValue = "runs/offline-baselines", description = "Where datasets and runs go.") Path work;
        @Option(names = "--report", defaultValue = "docs/results/offline-baselines-pendulum.md") Path report;
        @Option(names = "--no-progress") boolean noProgress;

        @Override
        public Integer call() {
            if (seeds < 2) {
                throw new IllegalArgumentException("--seeds must be at least 2 for confidence intervals, got " + seeds);
            }
            var outcome = OfflineBaselinesExperiment.run(new OfflineBaselinesExperiment.Settings(env, quality, transitions, seeds,
                    steps, evalEvery, evalEpisodes, algos, overrides, work, report), !noProgress && Terminal.interactive());
            System.out.println(outcome.verdict());
            System.out.println("report: " + report);
            return 0;
        }
    }

    @Command(name = "a2pr", mixinStandardHelpOptions = true,
            description = "A2PR vs TD3+BC and IQL on mixed-quality datasets (medium-replay, medium-expert, random-expert).")
    static final class A2pr implements Callable<Integer> {
        @Option(names = "--envs", split = ",", defaultValue = A2prExperiment.DEFAULT_ENVS,
                description = "Environments (default: ${DEFAULT-VALUE}).")
        List<String> envs;
        @Option(names = "--datasets", split = ",", defaultValue = A2prExperiment.DEFAULT_DATASETS,
                description = "Dataset mixtures (default: ${DEFAULT-VALUE}).")
        List<String> datasets;
        @Option(names = "--transitions", defaultValue = "" + A2prExperiment.DEFAULT_TRANSITIONS,
                description = "Transitions per dataset (default: ${DEFAULT-VALUE}).") int transitions;
        @Option(names = "--seeds", defaultValue = "" + A2prExperiment.DEFAULT_SEEDS,
                description = "Seeds per algorithm and dataset (default: ${DEFAULT-VALUE}).") int seeds;
        @Option(names = "--steps", defaultValue = "" + A2prExperiment.DEFAULT_STEPS,
                description = "Gradient steps per run (default: ${DEFAULT-VALUE}).") long steps;
        @Option(names = "--eval-every", defaultValue = "" + A2prExperiment.DEFAULT_EVAL_EVERY,
                description = "Evaluate every this many steps (default: ${DEFAULT-VALUE}).") int evalEvery;
        @Option(names = "--eval-episodes", defaultValue = "" + A2prExperiment.DEFAULT_EVAL_EPISODES,
                description = "Episodes per evaluation (default: ${DEFAULT-VALUE}).") int evalEpisodes;
        @Option(names = "--algos", split = ",", defaultValue = A2prExperiment.DEFAULT_ALGOS,
                description = "Algorithms; must include a2pr (default: ${DEFAULT-VALUE}).") List<String> algos;
        @Option(names = {"--set", "-s"},
                description = "Training overrides key=value for every run.") List<String> overrides = new ArrayList<>();
        @Option(names = "--work", defaultValue = "runs/a2pr", description = "Where datasets and runs go.") Path work;
        @Option(names = "--report", defaultValue = "docs/results/a2pr.md") Path report;
        @Option(names = "--no-progress") boolean noProgress;

        @Override
        public Integer call() {
            var outcome = A2prExperiment.run(new A2prExperiment.Settings(envs, datasets, transitions, seeds, steps, evalEvery,
                    evalEpisodes, algos, overrides, work, report), !noProgress && Terminal.interactive());
            System.out.println(outcome.verdict());
            System.out.println("report: " + report);
            return 0;
        }
    }
}
