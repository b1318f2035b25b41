package dev.fulcrum.cli;

import dev.fulcrum.experiment.A2prExperiment;
import dev.fulcrum.experiment.FamO2OExperiment;
import dev.fulcrum.experiment.OfflineBaselinesExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment ...}: each runs one paper's (or issue's) claim over seeds and writes docs/results/. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "Claim experiments with seeds, statistics and a verdict.",
        subcommands = {ExperimentCommand.OfflineBaselines.class, ExperimentCommand.A2pr.class, ExperimentCommand.FamO2OClaim.class,
                ExperimentParlCommand.class, ExperimentCommand.LmBase.class,
                ExperimentControlTiersCommand.class, ExperimentOfflineToOnlineCommand.class,
                ExperimentRankingAccuracyCommand.class, ExperimentPpoMaxCommand.class, ExperimentNashCommand.class,
                ExperimentIToolCommand.class, ExperimentPgRankCommand.class, ExperimentSrpoCommand.class,
                ExperimentPitCommand.class, ExperimentUnpackingCommand.class})
public final class ExperimentCommand extends GroupCommand {

    @Command(name = "lm-base", mixinStandardHelpOptions = true,
            description = {"Train (or find in the cache) the SFT base model the language-model experiments start from.",
                    "Cached under ~/.cache/fulcrum/lm-base (or $FULCRUM_CACHE/lm-base); prints the run directory."})
    static final class LmBase implements Callable<Integer> {
        @Option(names = "--smoke", description = "The few-second test model instead of the standard one.") boolean smoke;
        @Option(names = "--no-progress") boolean noProgress;

        @Override
        public Integer call() {
            var spec = smoke ? dev.fulcrum.experiment.lm.BaseSft.Spec.smoke() : dev.fulcrum.experiment.lm.BaseSft.Spec.standard();
            System.out.println(dev.fulcrum.experiment.lm.BaseSft.obtain(spec, !noProgress && Terminal.interactive()));
            return 0;
        }
    }

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

    @Command(name = "famo2o", mixinStandardHelpOptions = true,
            description = "IQL vs IQL+FamO2O: the same offline phase and online budget; balance coefficients vs data quality.")
    static final class FamO2OClaim implements Callable<Integer> {
        @Option(names = "--env", defaultValue = "point-goal") String env;
        @Option(names = "--dataset", description = "An existing dataset (e.g. a MuJoCo tier); default: generate --parts.") Path dataset;
        @Option(names = "--parts", split = ",", defaultValue = "random,expert",
                description = "Behaviour qualities of the generated mixed dataset's parts.") List<String> parts;
        @Option(names = "--transitions-per-part", defaultValue = "10000") int transitionsPerPart;
        @Option(names = "--seeds", defaultValue = "5") int seeds;
        @Option(names = "--offline-steps", defaultValue = "20000") long offlineSteps;
        @Option(names = "--online-steps", defaultValue = "20000") long onlineSteps;
        @Option(names = "--eval-every", defaultValue = "2000") int evalEvery;
        @Option(names = "--eval-episodes", defaultValue = "20") int evalEpisodes;
        @Option(names = {"--set", "-s"}, description = "Overrides key=value for both algorithms' runs.") List<String> overrides = new ArrayList<>();
        @Option(names = "--work", defaultValue = "runs/famo2o", description = "Where datasets and runs go.") Path work;
        @Option(names = "--report", defaultValue = "docs/results/famo2o.md") Path report;
        @Option(names = "--no-progress") boolean noProgress;

        @Override
        public Integer call() {
            if (seeds < 2) {
                throw new IllegalArgumentException("--seeds must be at least 2 for confidence intervals, got " + seeds);
            }
            var outcome = FamO2OExperiment.run(new FamO2OExperiment.Settings(env, dataset, parts, transitionsPerPart, seeds,
                    offlineSteps, onlineSteps, evalEvery, evalEpisodes, overrides, work, report), !noProgress && Terminal.interactive());
            System.out.println(outcome.verdict());
            System.out.println("report: " + report);
            return 0;
        }
    }
}
