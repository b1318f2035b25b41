package dev.fulcrum.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fulcrum} command: train policies from rewards and from preferences. */
@Command(name = "fulcrum", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train decision-making policies from rewards and from preferences.",
        subcommands = {ControlCommand.class, LmCommand.class, ExperimentCommand.class, ReportCommand.class, BenchCommand.class,
                RankCommand.class,
                CommandLine.HelpCommand.class})
public final class FulcrumCli extends GroupCommand {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new FulcrumCli());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // Expected failures (bad input, bad config) get one clear line; anything else keeps its stack trace.
            if (ex instanceof IllegalArgumentException || ex instanceof dev.fulcrum.control.data.DatasetException
                    || ex instanceof java.io.UncheckedIOException
                    || ex instanceof dev.fulcrum.control.env.mujoco.MujocoUnavailableException) {
                commandLine.getErr().println("fulcrum: error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }
}
