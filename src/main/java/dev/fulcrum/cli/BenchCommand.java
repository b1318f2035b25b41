package dev.fulcrum.cli;

import dev.fulcrum.bench.IqlStepBench;
import dev.fulcrum.bench.MujocoStepBench;
import dev.fulcrum.bench.LmBench;
import dev.fulcrum.lm.model.LmConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum bench ...}: throughput measurements, printed in the same form as the PyTorch peer's. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Performance benchmarks.",
        subcommands = {BenchCommand.Iql.class, BenchCommand.Mujoco.class, BenchCommand.Lm.class})
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

    @Command(name = "lm", mixinStandardHelpOptions = true,
            description = "Language-model training tokens/s (forward+backward+Adam) and KV-cache generation tokens/s "
                    + "(compare: scripts/peer/peer_lm.py).")
    static final class Lm implements Callable<Integer> {
        @Option(names = "--family", defaultValue = "llama", description = "llama or gpt2.") String family;
        @Option(names = "--hidden", defaultValue = "256") int hidden;
        @Option(names = "--layers", defaultValue = "4") int layers;
        @Option(names = "--heads", defaultValue = "4") int heads;
        @Option(names = "--kv-heads", defaultValue = "2") int kvHeads;
        @Option(names = "--mlp", defaultValue = "704", description = "MLP width (Llama; GPT-2 uses 4 x hidden).") int mlp;
        @Option(names = "--vocab", defaultValue = "512") int vocab;
        @Option(names = "--seq", defaultValue = "128") int seq;
        @Option(names = "--batch", defaultValue = "8") int batch;
        @Option(names = "--steps", defaultValue = "20", description = "Timed training steps.") int steps;
        @Option(names = "--warmup", defaultValue = "3") int warmup;
        @Option(names = "--prompt", defaultValue = "16", description = "Prompt length for generation.") int prompt;
        @Option(names = "--new-tokens", defaultValue = "112") int newTokens;
        @Option(names = "--rounds", defaultValue = "2", description = "Timed generation rounds.") int rounds;
        @Option(names = "--lanes", defaultValue = "1", description = "Generation: 1 (calling thread) or 2 (half the batch on a side lane).") int lanes;

        @Override
        public Integer call() {
            LmConfig.Family f = switch (family) {
                case "llama" -> LmConfig.Family.LLAMA;
                case "gpt2" -> LmConfig.Family.GPT2;
                default -> throw new IllegalArgumentException("--family must be llama or gpt2, not '" + family + "'");
            };
            int kv = f == LmConfig.Family.GPT2 ? heads : kvHeads;
            int width = f == LmConfig.Family.GPT2 ? 4 * hidden : mlp;
            System.out.println(LmBench.run(new LmBench.Settings(f, hidden, layers, heads, kv, width, vocab, seq, batch, steps,
                    warmup, prompt, newTokens, rounds, lanes), 0));
            return 0;
        }
    }
}
