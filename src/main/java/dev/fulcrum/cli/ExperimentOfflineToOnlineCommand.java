package dev.fulcrum.cli;

import dev.fulcrum.experiment.OfflineToOnlineExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment offline-to-online}: fine-tuning curves (offline phase, then online) over seeds. */
@Command(name = "offline-to-online", mixinStandardHelpOptions = true,
        description = {"IQL and AWAC fine-tuning (fulcrum control finetune) over seeds: scores at the end of the offline and",
                "online phases, the change with a 95%% CI, and the mean curves. Finished runs are reused."})
final class ExperimentOfflineToOnlineCommand implements Callable<Integer> {
    @Option(names = "--env", required = true, description = "Environment id.") String env;
    @Option(names = "--dataset", required = true, description = "Dataset that pre-fills the replay buffer.") Path dataset;
    @Option(names = "--algos", split = ",", defaultValue = "iql,awac", description = "Algorithms (default: ${DEFAULT-VALUE}).")
    List<String> algos;
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds (default: ${DEFAULT-VALUE}).") int seeds;
    @Option(names = "--offline-steps", defaultValue = "5000", description = "Offline gradient steps (default: ${DEFAULT-VALUE}).")
    long offlineSteps;
    @Option(names = "--online-steps", defaultValue = "5000", description = "Environment steps (default: ${DEFAULT-VALUE}).")
    long onlineSteps;
    @Option(names = "--eval-every", defaultValue = "1000", description = "Evaluate every (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--eval-episodes", defaultValue = "10", description = "Evaluation episodes (default: ${DEFAULT-VALUE}).")
    int evalEpisodes;
    @Option(names = {"--set", "-s"}, description = "Run overrides key=value for every run.") List<String> overrides = new ArrayList<>();
    @Option(names = "--work", description = "Run directories (default: runs/offline-to-online/ENV).") Path work;
    @Option(names = "--report", description = "Report file (default: docs/results/offline-to-online-ENV.md).") Path report;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        Path workDir = work != null ? work : Path.of("runs", "offline-to-online", env);
        Path reportFile = report != null ? report : Path.of("docs", "results", "offline-to-online-" + env + ".md");
        StringBuilder command = new StringBuilder("fulcrum experiment offline-to-online --env " + env + " --dataset " + dataset
                + " --algos " + String.join(",", algos) + " --seeds " + seeds + " --offline-steps " + offlineSteps
                + " --online-steps " + onlineSteps + " --eval-every " + evalEvery + " --eval-episodes " + evalEpisodes);
        overrides.forEach(o -> command.append(" --set ").append(o));
        OfflineToOnlineExperiment.run(new OfflineToOnlineExperiment.Settings(env, dataset, algos, seeds, offlineSteps, onlineSteps,
                evalEvery, evalEpisodes, overrides, workDir, reportFile, command.toString()), !noProgress && Terminal.interactive());
        System.out.println("report: " + reportFile);
        return 0;
    }
}
