package dev.fulcrum.cli;

import dev.fulcrum.control.parl.ParlConfig;
import dev.fulcrum.control.parl.ParlTrainer;
import dev.fulcrum.core.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum control parl}: policy alignment from a preference oracle with A-PARL or the PEBBLE-like baseline. */
@Command(name = "parl", mixinStandardHelpOptions = true,
        description = "Learn a reward from oracle preferences and a policy from it (A-PARL or PEBBLE-like); writes a run directory.")
final class ControlParlCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML or JSON file of settings (any field of the resolved config.json).")
    Path config;
    @Option(names = "--task", description = "grid-hazard-N (odd N >= 5) or point-goal-hazard.")
    String task;
    @Option(names = "--method", description = "aparl, pebble or aparl-no-correction.")
    String method;
    @Option(names = "--seed", description = "Seed.")
    Long seed;
    @Option(names = "--iterations", description = "Outer iterations.")
    Integer iterations;
    @Option(names = {"--set", "-s"}, description = "Override any setting: key=value (e.g. innerSteps=3). Repeatable.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--out", required = true, description = "Run directory to create.")
    Path out;
    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        List<String> all = new ArrayList<>();
        if (task != null) all.add("task=" + task);
        if (method != null) all.add("method=" + method);
        if (seed != null) all.add("seed=" + seed);
        if (iterations != null) all.add("iterations=" + iterations);
        all.addAll(overrides);
        ParlConfig cfg = ConfigLoader.load(ParlConfig.class, ParlConfig.defaults(), config, all);
        ParlTrainer.Result r = new ParlTrainer(cfg, out).progressBar(!noProgress && Terminal.interactive()).fit();
        System.out.printf("%s on %s: normalised true utility %.3f (utility %.2f) after %d oracle queries and %d environment "
                        + "transitions; target %.2f %s; run: %s%n", cfg.method(), cfg.task(), r.finalNormalisedUtility(),
                r.finalUtility(), r.queries(), r.transitions(), cfg.target(),
                r.reachedTarget() ? "reached after " + r.queriesToTarget() + " queries and " + r.transitionsToTarget()
                        + " transitions" : "not reached", r.runDir());
        return 0;
    }
}
