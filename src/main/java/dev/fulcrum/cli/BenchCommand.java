package dev.fulcrum.cli;

import dev.fulcrum.bench.IqlStepBench;
import dev.fulcrum.bench.MujocoStepBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum bench ...}: throughput measurements, printed in the same form as the PyTorch peer's. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Performance benchmarks.",
        subcommands = {BenchCommand.Iql.class, BenchCommand.Mujoco.class})
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

    @Command(name = "mujoco", mixinStandardHelpOptions = true,
            description = "MuJoCo env steps per second through the Java binding (compare: scripts/bench/mujoco-throughput.sh, plain C).")
    static final class Mujoco implements Callable<Integer> {
        @Option(names = "--env", defaultValue = "halfcheetah", description = "halfcheetah, hopper or walker2d (default: ${DEFAULT-VALUE}).") String env;
        @Option(names = "--steps", defaultValue = "20000", description = "Timed env steps (default: ${DEFAULT-VALUE}).") long steps;
        @Option(names = "--warmup", defaultValue = "2000", description = "Untimed env steps first (default: ${DEFAULT-VALUE}).") long warmup;
        @Option(names = "--mode", defaultValue = "binding",
                description = "binding: random controls + mj_step x frame skip, as the C loop; env: the full Env.step (default: ${DEFAULT-VALUE}).")
        String mode;
        @Option(names = "--seed", defaultValue = "1") long seed;

        @Override
        public Integer call() {
            MujocoStepBench.Mode m = switch (mode) {
                case "binding" -> MujocoStepBench.Mode.BINDING;
                case "env" -> MujocoStepBench.Mode.ENV;
                default -> throw new IllegalArgumentException("--mode must be binding or env, got '" + mode + "'");
            };
            System.out.println(MujocoStepBench.run(m, env, steps, warmup, seed));
            return 0;
        }
    }
}
