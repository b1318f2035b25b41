package dev.fulcrum.cli;

import dev.fulcrum.experiment.ParlExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment parl}: A-PARL vs the PEBBLE-like baseline on samples to the oracle's target. */
@Command(name = "parl", mixinStandardHelpOptions = true,
        description = "A-PARL vs PEBBLE-like preference learning: oracle queries and transitions to the target, over seeds.")
final class ExperimentParlCommand implements Callable<Integer> {
    @Option(names = "--tasks", split = ",", defaultValue = "grid-hazard-5,point-goal-hazard", description = "Testbeds (default: ${DEFAULT-VALUE}).")
    List<String> tasks;
    @Option(names = "--methods", split = ",", defaultValue = "aparl,pebble,aparl-no-correction",
            description = "Methods (default: ${DEFAULT-VALUE}).")
    List<String> methods;
    @Option(names = "--seeds", defaultValue = "10", description = "Seeds per method (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--task-seeds", description = "Seeds per method for particular tasks: TASK=N (repeatable).")
    Map<String, Integer> taskSeeds = new LinkedHashMap<>();
    @Option(names = "--first-seed", defaultValue = "0", description = "First seed (default: ${DEFAULT-VALUE}).")
    long firstSeed;
    @Option(names = {"--set", "-s"}, description = "Settings key=value for every run (after the per-task presets).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--work", defaultValue = "runs/parl", description = "Where the runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/parl.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        var outcomes = ParlExperiment.run(new ParlExperiment.Settings(tasks, methods, seeds, taskSeeds, firstSeed, overrides, work, report),
                !noProgress && Terminal.interactive());
        outcomes.forEach(o -> System.out.println(o.task() + ": " + o.verdict()));
        System.out.println("report: " + report);
        return 0;
    }
}
