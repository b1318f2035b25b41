package dev.fulcrum.cli;

import dev.fulcrum.experiment.ControlTiersExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment control-tiers}: the offline algorithms on SAC-made MuJoCo tiers, against CORL's ordering. */
@Command(name = "control-tiers", mixinStandardHelpOptions = true,
        description = {"IQL, TD3+BC, AWAC and BC on SAC-made dataset tiers (fulcrum control make-datasets) of MuJoCo tasks;",
                "normalised scores with 95%% CIs and the ordering compared with CORL's. Finished runs are reused, so",
                "several processes (e.g. one per --envs) can fill the table and a last --report-only call writes it."})
final class ExperimentControlTiersCommand implements Callable<Integer> {
    @Option(names = "--envs", split = ",", defaultValue = ControlTiersExperiment.DEFAULT_ENVS,
            description = "Environments (default: ${DEFAULT-VALUE}).") List<String> envs;
    @Option(names = "--tiers", split = ",", defaultValue = ControlTiersExperiment.DEFAULT_TIERS,
            description = "Dataset tiers (default: ${DEFAULT-VALUE}).") List<String> tiers;
    @Option(names = "--algos", split = ",", defaultValue = ControlTiersExperiment.DEFAULT_ALGOS,
            description = "Algorithms (default: ${DEFAULT-VALUE}).") List<String> algos;
    @Option(names = "--data", defaultValue = "data/tiers-{env}",
            description = "Directory of the tiers, {env} standing for the environment (default: ${DEFAULT-VALUE}).") String data;
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds (default: ${DEFAULT-VALUE}).") int seeds;
    @Option(names = "--steps", defaultValue = "10000", description = "Gradient steps per run (default: ${DEFAULT-VALUE}).")
    long steps;
    @Option(names = "--eval-every", defaultValue = "5000", description = "Evaluate every (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--eval-episodes", defaultValue = "10", description = "Evaluation episodes (default: ${DEFAULT-VALUE}).")
    int evalEpisodes;
    @Option(names = {"--set", "-s"}, description = "Training overrides key=value for every run.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--work", defaultValue = "runs/control-tiers", description = "Run directories (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/control-tiers-table.md",
            description = "Report file (default: ${DEFAULT-VALUE}).") Path report;
    @Option(names = "--report-only", description = "Do not train: read the finished runs and write the report.")
    boolean reportOnly;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        StringBuilder command = new StringBuilder("fulcrum experiment control-tiers --envs " + String.join(",", envs) + " --tiers "
                + String.join(",", tiers) + " --algos " + String.join(",", algos) + " --data " + data + " --seeds " + seeds
                + " --steps " + steps + " --eval-every " + evalEvery + " --eval-episodes " + evalEpisodes);
        overrides.forEach(o -> command.append(" --set ").append(o));
        ControlTiersExperiment.run(new ControlTiersExperiment.Settings(envs, tiers, algos, seeds, steps, evalEvery, evalEpisodes,
                data, overrides, work, report, reportOnly, command.toString()), !noProgress && Terminal.interactive());
        System.out.println("report: " + report);
        return 0;
    }
}
