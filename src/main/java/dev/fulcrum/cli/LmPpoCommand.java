package dev.fulcrum.cli;

import dev.fulcrum.lm.rl.PpoMax;
import dev.fulcrum.lm.rl.PpoRunConfig;
import dev.fulcrum.lm.rl.PpoSettings;
import dev.fulcrum.lm.train.ModelDirectories;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum lm ppo}: PPO-max (or any subset of its tricks) from an SFT model against a reward model or the oracle. */
@Command(name = "ppo", mixinStandardHelpOptions = true,
        description = {"PPO-max (Zheng et al. 2023) from an SFT model: sampled rollouts on task prompts, rewards from a reward "
                + "model (--reward-model) or the task oracle (--oracle), every trick a ppo.* switch.",
                "Writes a run directory (metrics with reward, KL, perplexity, length, clip fractions, entropy and collapse "
                        + "warnings; resumable checkpoints) and the trained policy as RUN/model."})
final class LmPpoCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Option(names = "--init", description = "The SFT policy: a finished 'lm sft' run or a Hugging Face model directory.")
    Path init;
    @Option(names = "--reward-model", description = "A finished 'lm reward' run (rewards with ppo.reward=model; critic initialisation).")
    Path rewardModel;
    @Option(names = "--oracle", description = "Reward from the task oracle's gold reward instead of the reward model (ppo.reward=oracle).")
    boolean oracle;
    @Option(names = "--preset", defaultValue = "max", description = "max (every PPO-max trick on) or vanilla (all off) (default: ${DEFAULT-VALUE}).")
    String preset;
    @Option(names = "--iterations", description = "PPO iterations after the critic's pre-training.")
    Integer iterations;
    @Option(names = "--families", description = "Task families of the rollout prompts.")
    String families;
    @Option(names = "--seed", description = "Seed.")
    Long seed;

    @Override
    public Integer call() {
        PpoRunConfig defaults = PpoRunConfig.defaults();
        PpoSettings settings = switch (preset) {
            case "max" -> PpoSettings.max();
            case "vanilla" -> PpoSettings.vanilla();
            default -> throw new IllegalArgumentException("--preset must be max or vanilla, got '" + preset + "'");
        };
        defaults = new PpoRunConfig(defaults.init(), defaults.rewardModel(), defaults.families(), defaults.problemsPerFamily(),
                defaults.problemSeed(), defaults.ptxData(), defaults.seed(), defaults.iterations(), defaults.evalEvery(),
                defaults.checkpointEvery(), defaults.keepCheckpoints(), defaults.eval(), settings);
        List<String> own = new ArrayList<>();
        if (init != null) own.add("init=" + ModelDirectories.resolve(init));
        if (rewardModel != null) own.add("rewardModel=" + ModelDirectories.resolve(rewardModel));
        if (oracle) own.add("ppo.reward=oracle");
        if (iterations != null) own.add("iterations=" + iterations);
        if (families != null) own.add("families=" + families);
        if (seed != null) own.add("seed=" + seed);
        PpoRunConfig cfg = run.resolve(PpoRunConfig.class, defaults, own);
        PpoMax ppo = new PpoMax(cfg, run.out).resume(run.resume).progressBar(run.progressBar());
        if (run.stopAfter != null) {
            ppo.stopAfter(run.stopAfter);
        }
        PpoMax.Result r = ppo.fit();
        if (r.stepsDone() == cfg.totalSteps() && r.finalEvaluation() == null) {
            System.out.printf("run %s is already complete (%d steps)%n", r.runDir(), r.stepsDone());
        } else if (r.stepsDone() == cfg.totalSteps()) {
            Map<String, Double> m = r.finalEvaluation();
            System.out.printf("ppo: %d steps (%d critic pre-training), generation %.1f samples/s, %d collapse warnings%n",
                    r.stepsDone(), cfg.ppo().criticPretrainSteps(), r.samplesPerSecond(), r.collapseWarnings());
            if (m.containsKey("solve_rate.in-distribution")) {
                System.out.printf("  held-in greedy solve rate %.3f, mean gold reward %.3f%n", m.get("solve_rate.in-distribution"),
                        m.get("gold_reward.in-distribution"));
            }
            System.out.printf("run: %s (policy: %s)%n", r.runDir(), r.runDir().resolve("model"));
        } else {
            System.out.printf("stopped at step %d; continue with --resume --out %s%n", r.stepsDone(), r.runDir());
        }
        return 0;
    }
}
