package dev.fulcrum.cli;

import dev.fulcrum.core.report.RunReport;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code fulcrum report RUN...}: (re)writes each run's report.md and plots from its run directory. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Write report.md and PNG curves for run directories.")
public final class ReportCommand implements Runnable {
    @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run directories.")
    List<Path> runs;

    @Override
    public void run() {
        for (Path r : runs) {
            RunReport.write(RunDirectory.open(r));
            System.out.println("wrote " + r.resolve("report.md"));
        }
    }
}
