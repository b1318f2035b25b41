package dev.fulcrum.cli;

import dev.fulcrum.experiment.lm.PpoMaxExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment ppo-max}: PPO-max against vanilla PPO and single-trick ablations from the shared SFT model. */
@Command(name = "ppo-max", mixinStandardHelpOptions = true,
        description = {"PPO-max vs vanilla PPO and PPO-max minus one trick, over seeds, from the shared SFT model (and a reward "
                + "model trained from it once, cached); writes docs/results/ppo-max.md.",
                "Variants: ppo-max, vanilla, no-kl, no-reward-norm, no-critic-pretrain, no-critic-from-rm, no-whitening, "
                        + "no-value-clip, no-grad-clip."})
final class ExperimentPpoMaxCommand implements Callable<Integer> {
    @Option(names = "--variants", split = ",", defaultValue = "ppo-max,vanilla,no-kl,no-reward-norm,no-critic-pretrain",
            description = "Variants (default: ${DEFAULT-VALUE}).")
    List<String> variants;
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds per variant (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--first-seed", defaultValue = "0", description = "First seed (default: ${DEFAULT-VALUE}).")
    long firstSeed;
    @Option(names = "--iterations", defaultValue = "20", description = "PPO iterations per run (default: ${DEFAULT-VALUE}).")
    int iterations;
    @Option(names = "--reward", defaultValue = "oracle", description = "oracle (gold reward) or model (the reward model) (default: ${DEFAULT-VALUE}).")
    String reward;
    @Option(names = {"--set", "-s"}, description = "Settings key=value for every run (PpoRunConfig fields, e.g. ppo.klCoef=0.1).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--work", defaultValue = "runs/ppo-max", description = "Where the runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/ppo-max.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--base", defaultValue = "standard", description = "SFT model to start from: standard (the shared base), tiny "
            + "(a cheaper one, trained once and cached) or a finished SFT run (default: ${DEFAULT-VALUE}).")
    String base;
    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    boolean noProgress;

    @Override
    public Integer call() {
        Path written = PpoMaxExperiment.run(new PpoMaxExperiment.Settings(variants, seeds, firstSeed, iterations, reward, overrides,
                work, report, base), !noProgress && Terminal.interactive());
        System.out.println("report: " + written);
        return 0;
    }
}
