package dev.fulcrum.cli;

import dev.fulcrum.bench.IqlStepBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum bench ...}: throughput measurements, printed in the same form as the PyTorch peer's. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Performance benchmarks.",
        subcommands = {BenchCommand.Iql.class})
public final class BenchCommand extends GroupCommand {

    @Command(name = "iql", mixinStandardHelpOptions = true,
            description = "IQL gradient steps per second (compare: ../shared/reference/peer_iql.py).")
    static final class Iql implements Callable<Integer> {
        @Option(names = "--steps", defaultValue = "2000") int steps;
        @Option(names = "--warmup", defaultValue = "100") int warmup;
        @Option(names = "--lanes", defaultValue = "2", description = "1: sequential; 2: critic update on a second core (default).") int lanes;
        @Option(names = "--obs", defaultValue = "17") int obs;
        @Option(names = "--act", defaultValue = "6") int act;
        @Option(names = "--hidden", defaultValue = "256") int hidden;
        @Option(names = "--batch", defaultValue = "256") int batch;
        @Option(names = "--buffer", defaultValue = "100000") int buffer;

        @Override
        public Integer call() {
            System.out.println(IqlStepBench.run(steps, warmup, lanes, obs, act, hidden, batch, buffer, 0));
            return 0;
        }
    }
}
