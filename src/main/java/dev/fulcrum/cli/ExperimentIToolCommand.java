package dev.fulcrum.cli;

import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.experiment.lm.IToolExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment itool}: SFT on 1x/2x/3x synthetic data vs iTool iterations from the 1x model, on tool-shop. */
@Command(name = "itool", mixinStandardHelpOptions = true,
        description = {"iTool claim: more synthetic SFT data plateaus on complex (multi-tool) tasks while iTool iterations keep "
                + "improving. Per seed: SFT on 1x, 2x, 3x data from the shared base model, iTool iterations from the 1x model; "
                + "greedy success on fresh tool-shop problems with bootstrap intervals.",
                "Writes the runs under --work and the report (with a plot) to --report."})
final class ExperimentIToolCommand implements Callable<Integer> {
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--first-seed", defaultValue = "0", description = "First seed (default: ${DEFAULT-VALUE}).")
    long firstSeed;
    @Option(names = "--problems-per-family", defaultValue = "100", description = "1x data: problems per family (default: ${DEFAULT-VALUE}).")
    int problemsPerFamily;
    @Option(names = "--sft-steps", defaultValue = "200", description = "SFT updates per 1x of data (default: ${DEFAULT-VALUE}).")
    long sftSteps;
    @Option(names = "--iterations", defaultValue = "3", description = "iTool iterations (default: ${DEFAULT-VALUE}).")
    int iterations;
    @Option(names = "--eval-problems", defaultValue = "100", description = "tool-shop problems evaluated (default: ${DEFAULT-VALUE}).")
    int evalProblems;
    @Option(names = "--base", defaultValue = "standard", description = "Base model spec: standard (BaseSft.standard), tools (a tiny "
            + "model on tool-calc and tool-price, about 2 CPU-minutes) or smoke (default: ${DEFAULT-VALUE}).")
    String base;
    @Option(names = {"--set", "-s"}, description = "iTool setting key=value (e.g. mctsIterations=4). Repeatable.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--work", defaultValue = "runs/itool", description = "Where the runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/itool.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        BaseSft.Spec spec = switch (base.strip().toLowerCase(Locale.ROOT)) {
            case "standard" -> BaseSft.Spec.standard();
            case "tools" -> IToolExperiment.toolsBase();
            case "smoke" -> BaseSft.Spec.smoke();
            default -> throw new IllegalArgumentException("--base must be standard, tools or smoke, got '" + base + "'");
        };
        var scores = IToolExperiment.run(new IToolExperiment.Settings(spec, seeds, firstSeed, problemsPerFamily, sftSteps, iterations,
                evalProblems, overrides, work, report, null), !noProgress && Terminal.interactive(), System.out::println);
        for (var s : scores) {
            System.out.printf(Locale.ROOT, "%-14s %.3f [%.3f, %.3f]%n", s.method(), s.successRate(), s.ci()[0], s.ci()[1]);
        }
        System.out.println("report: " + report);
        return 0;
    }
}
