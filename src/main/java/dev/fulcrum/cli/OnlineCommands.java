package dev.fulcrum.cli;

import dev.fulcrum.control.train.DatasetTiers;
import dev.fulcrum.control.train.OnlineConfig;
import dev.fulcrum.control.train.OnlineTrainer;
import dev.fulcrum.core.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum control online|finetune|make-datasets}: learning by interaction, and datasets made by an online learner. */
final class OnlineCommands {
    private OnlineCommands() {
    }

    /** Options and behaviour shared by {@code online} and {@code finetune}. */
    abstract static class RunCommand implements Callable<Integer> {
        @Mixin
        RunOptions run;
        @Option(names = "--env", description = "Environment id.")
        String env;
        @Option(names = "--seed", description = "Seed.")
        Long seed;

        /** The defaults this command starts from. */
        abstract OnlineConfig defaults();

        /** This command's own options as {@code key=value} overrides, applied before {@code --set}. */
        abstract List<String> commandOverrides();

        /** Checks what only this command requires of a resolved configuration. */
        void validate(OnlineConfig cfg) {
        }

        @Override
        public Integer call() {
            OnlineConfig cfg = resolve();
            OnlineTrainer trainer = new OnlineTrainer(cfg, run.out).resume(run.resume).progressBar(run.progressBar());
            if (run.stopAfter != null) {
                trainer.stopAfter(run.stopAfter);
            }
            OnlineTrainer.Result r = trainer.fit();
            if (r.finalEvaluation() != null && r.stepsDone() == cfg.totalSteps()) {
                System.out.printf("%s on %s: normalised score %.1f (return %.1f) after %d offline + %d online steps, %.0f steps/s; "
                                + "run: %s%n", cfg.algo(), cfg.env(), r.finalEvaluation().meanScore(), r.finalEvaluation().meanReturn(),
                        cfg.offlineSteps(), cfg.onlineSteps(), r.stepsPerSecond(), r.runDir());
            } else {
                System.out.printf("stopped at step %d; continue with --resume --out %s%n", r.stepsDone(), r.runDir());
            }
            return 0;
        }

        OnlineConfig resolve() {
            List<String> own = new ArrayList<>(commandOverrides());
            if (env != null) own.add("env=" + env);
            if (seed != null) own.add("seed=" + seed);
            OnlineConfig cfg = run.resolve(OnlineConfig.class, defaults(), own);
            if (!run.resume) {
                validate(cfg);
            }
            return cfg;
        }
    }

    @Command(name = "online", mixinStandardHelpOptions = true,
            description = "Learn by interacting with an environment from scratch (SAC); writes a run directory.")
    static final class Online extends RunCommand {
        @Option(names = "--algo", description = "sac (default), or iql/awac/famo2o acting with their stochastic actors.")
        String algo;
        @Option(names = "--steps", description = "Environment steps (default 100000; the first randomSteps=5000 act at random).")
        Long steps;

        @Override
        OnlineConfig defaults() {
            return OnlineConfig.defaults();
        }

        @Override
        List<String> commandOverrides() {
            List<String> o = new ArrayList<>();
            if (algo != null) o.add("algo=" + algo);
            if (steps != null) o.add("onlineSteps=" + steps);
            return o;
        }
    }

    @Command(name = "finetune", mixinStandardHelpOptions = true,
            description = {"Offline-to-online: train on a dataset, then keep learning while acting in the environment.",
                    "The replay buffer starts as the dataset and online transitions are appended; normalisation is fixed "
                            + "from the dataset; metrics.jsonl marks each record's stage (offline or online)."})
    static final class Finetune extends RunCommand {
        @Option(names = "--algo", description = "iql (default), awac or famo2o.")
        String algo;
        @Option(names = "--dataset", description = "Dataset (D4RL HDF5 or Minari) that pre-fills the replay buffer.")
        String dataset;
        @Option(names = "--offline-steps", description = "Gradient steps on the dataset before acting (default 100000).")
        Long offlineSteps;
        @Option(names = "--online-steps", description = "Environment steps afterwards, one gradient step each (default 100000).")
        Long onlineSteps;

        @Override
        OnlineConfig defaults() {
            return OnlineConfig.finetuneDefaults();
        }

        @Override
        List<String> commandOverrides() {
            List<String> o = new ArrayList<>();
            if (algo != null) o.add("algo=" + algo);
            if (dataset != null) o.add("dataset=" + dataset);
            if (offlineSteps != null) o.add("offlineSteps=" + offlineSteps);
            if (onlineSteps != null) o.add("onlineSteps=" + onlineSteps);
            return o;
        }

        @Override
        void validate(OnlineConfig cfg) {
            if (!cfg.hasDataset()) {
                throw new IllegalArgumentException("no dataset: pass --dataset FILE (make one with 'fulcrum control collect' "
                        + "or 'fulcrum control make-datasets')");
            }
        }
    }

    @Command(name = "make-datasets", mixinStandardHelpOptions = true,
            description = {"Make D4RL-style dataset tiers for an environment by training SAC online:",
                    "ENV-random, ENV-medium, ENV-medium-replay, ENV-medium-expert and ENV-expert .hdf5, plus tiers.json.",
                    "Expert: SAC's final policy. Medium: the policy at the first evaluation whose normalised score reaches "
                            + "a third of the expert's. Medium-replay: SAC's replay buffer up to that point."})
    static final class MakeDatasets implements Callable<Integer> {
        @Option(names = "--env", required = true, description = "Environment id.")
        String env;
        @Option(names = "--out", required = true, description = "Output directory (the SAC run goes to OUT/sac).")
        Path out;
        @Option(names = "--sac-steps", defaultValue = "50000", description = "SAC environment steps (default: ${DEFAULT-VALUE}).")
        long sacSteps;
        @Option(names = "--transitions", defaultValue = "100000",
                description = "Transitions in each of the random, medium and expert datasets (default: ${DEFAULT-VALUE}).")
        int transitions;
        @Option(names = "--eval-every", defaultValue = "1000",
                description = "SAC evaluation (and candidate medium policy) every this many steps (default: ${DEFAULT-VALUE}).")
        int evalEvery;
        @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = {"--set", "-s"}, description = "Override a SAC run setting: key.path=value (e.g. sac.hiddenSize=64). Repeatable.")
        List<String> overrides = new ArrayList<>();
        @Option(names = "--no-progress", description = "Do not draw a progress bar.")
        boolean noProgress;

        @Override
        public Integer call() {
            if (transitions <= 0) {
                throw new IllegalArgumentException("--transitions must be positive, got " + transitions);
            }
            List<String> all = new ArrayList<>(List.of("algo=sac", "env=" + env, "onlineSteps=" + sacSteps, "seed=" + seed,
                    "evalEvery=" + evalEvery));
            all.addAll(overrides);
            OnlineConfig sac = ConfigLoader.load(OnlineConfig.class, OnlineConfig.defaults(), null, all);
            String command = "fulcrum control make-datasets --env " + env + " --sac-steps " + sacSteps + " --transitions "
                    + transitions + " --eval-every " + evalEvery + " --seed " + seed
                    + overrides.stream().map(o -> " --set " + o).reduce("", String::concat);
            DatasetTiers.Result r = DatasetTiers.make(new DatasetTiers.Settings(sac, transitions, out, command),
                    !noProgress && Terminal.interactive());
            System.out.print(r.table());
            System.out.printf("wrote %s (tiers.json and %d datasets)%n", out, r.files().size());
            return 0;
        }
    }
}
