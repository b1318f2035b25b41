package dev.fulcrum.cli;

import dev.fulcrum.core.report.ComparisonReport;
import dev.fulcrum.core.report.RunReport;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fulcrum report RUN... [--out DIR]}: (re)writes each run's report.md, report.html and plots from its run
 * directory; with {@code --out}, also a comparison page of all the runs (grouped by algo and env) in DIR/report.html.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write report.md, report.html and PNG curves for run directories; with --out, a comparison page of "
                + "all runs (learning curves per algorithm with confidence bands, mean and IQM with bootstrap intervals, "
                + "pairwise significance tests).",
                "A RUN that is not a run directory but holds runs stands for the runs inside it."})
public final class ReportCommand implements Runnable {
    @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run directories (or directories of runs).")
    List<Path> runs;
    @Option(names = "--out", paramLabel = "DIR", description = "Write a comparison of the runs to DIR/report.html "
            + "(with DIR/comparison.json and DIR/curves-ENV.png).")
    Path out;
    @Option(names = "--resamples", defaultValue = "10000", description = "Bootstrap replicates per interval (default: ${DEFAULT-VALUE}).")
    int resamples;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the bootstrap draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public void run() {
        List<Path> dirs = ComparisonReport.expand(runs);
        ComparisonReport.Settings settings = new ComparisonReport.Settings(resamples, 0.95, seed);
        for (Path r : dirs) {
            RunReport.write(RunDirectory.open(r));
            System.out.println("wrote " + r.resolve("report.md") + " and report.html");
        }
        if (out != null) {
            ComparisonReport.Comparison c = ComparisonReport.write(dirs, out, settings);
            System.out.printf(Locale.ROOT, "wrote %s: %d runs, %d algorithm-environment groups%n", c.html(), c.runs().size(),
                    c.groups().size());
        } else if (dirs.size() > 1) {
            System.out.println("(pass --out DIR to also write a comparison page of these runs)");
        }
    }
}
