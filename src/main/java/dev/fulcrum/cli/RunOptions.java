package dev.fulcrum.cli;

import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every training command shares (a picocli mixin): a settings file, {@code --set} overrides, the run
 * directory, resumption, a simulated interruption for tests, and the progress bar; and the one way a command turns them
 * into a resolved configuration.
 */
final class RunOptions {
    @Option(names = "--config", description = "YAML or JSON file of settings (any field of the resolved config.json).")
    Path config;
    @Option(names = {"--set", "-s"}, description = "Override any setting: key.path=value, as the fields of the run's config.json "
            + "(e.g. iql.beta=10, sac.hiddenSize=64, optimizer.learningRate=3e-4). Repeatable.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--out", required = true, description = "Run directory to create (or to continue with --resume).")
    Path out;
    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint.")
    boolean resume;
    @Option(names = "--stop-after", hidden = true, description = "Stop after this many total steps (simulates an interruption).")
    Long stopAfter;
    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    boolean progressBar() {
        return !noProgress && Terminal.interactive();
    }

    /**
     * The run's configuration. With {@code --resume} it is the run's own {@code config.json} (the command line may only
     * repeat it); otherwise {@code defaults}, then {@code --config}, then the command's own options
     * ({@code commandOverrides}, as {@code key=value}), then {@code --set}.
     */
    <T> T resolve(Class<T> type, T defaults, List<String> commandOverrides) {
        if (resume) {
            return ConfigLoader.load(type, defaults, RunDirectory.open(out).configFile(), List.of());
        }
        List<String> all = new ArrayList<>(commandOverrides);
        all.addAll(overrides);
        return ConfigLoader.load(type, defaults, config, all);
    }
}
