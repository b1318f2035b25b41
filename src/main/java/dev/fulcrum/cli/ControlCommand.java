package dev.fulcrum.cli;

import dev.fulcrum.control.algo.OfflineAlgorithm;
import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.eval.Evaluation;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.control.train.Algorithms;
import dev.fulcrum.control.train.LearnedPolicy;
import dev.fulcrum.control.train.OfflineTrainer;
import dev.fulcrum.control.train.TrainConfig;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.RunDirectory;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum control ...}: offline RL on continuous control: datasets, training, evaluation. */
@Command(name = "control", mixinStandardHelpOptions = true, description = "Offline RL for continuous control.",
        subcommands = {ControlCommand.Envs.class, ControlCommand.Collect.class, ControlCommand.Train.class,
                ControlCommand.Eval.class, ConvertCommand.class, OnlineCommands.Online.class, OnlineCommands.Finetune.class,
                OnlineCommands.MakeDatasets.class, ControlParlCommand.class})
public final class ControlCommand extends GroupCommand {

    @Command(name = "envs", mixinStandardHelpOptions = true, description = "List the environments and their reference scores.")
    static final class Envs implements Runnable {
        @Override
        public void run() {
            System.out.printf("%-12s %4s %4s %6s %10s %10s %s%n", "id", "obs", "act", "steps", "random", "expert", "reward");
            for (String id : EnvRegistry.ids()) {
                dev.fulcrum.control.env.EnvSpec s;
                try {
                    s = EnvRegistry.make(id).spec();
                } catch (dev.fulcrum.control.env.mujoco.MujocoUnavailableException e) {
                    System.out.printf("%-12s unavailable: %s%n", id, e.getMessage());
                    continue;
                }
                System.out.printf("%-12s %4d %4d %6d %10.1f %10.1f %s%n", id, s.observationDim(), s.actionDim(),
                        s.maxEpisodeSteps(), s.randomScore(), s.expertScore(), s.sparseReward() ? "sparse" : "dense");
            }
        }
    }

    @Command(name = "collect", mixinStandardHelpOptions = true,
            description = "Roll out a behaviour policy and write a D4RL-layout HDF5 dataset.")
    static final class Collect implements Callable<Integer> {
        @Option(names = "--env", defaultValue = "pendulum", description = "Environment id (default: ${DEFAULT-VALUE}).")
        String env;
        @Option(names = "--quality", defaultValue = "medium", description = "Behaviour policy: random, medium or expert (default: ${DEFAULT-VALUE}).")
        String quality;
        @Option(names = "--transitions", defaultValue = "100000", description = "Number of transitions (default: ${DEFAULT-VALUE}).")
        int transitions;
        @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--out", required = true, description = "Output .hdf5 file.")
        Path out;

        @Override
        public Integer call() {
            if (transitions <= 0) {
                throw new IllegalArgumentException("--transitions must be positive, got " + transitions);
            }
            Env e = EnvRegistry.make(env);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("quality", quality);
            meta.put("command", "fulcrum control collect --env " + env + " --quality " + quality + " --transitions "
                    + transitions + " --seed " + seed);
            OfflineDataset data = Collector.collect(e, BehaviourPolicies.forEnv(env, quality), transitions, new Rng(seed), meta);
            D4rlHdf5.write(data, out);
            double[] returns = data.episodeReturns();
            double mean = dev.fulcrum.core.stats.Stats.mean(returns);
            System.out.printf("wrote %s: %d transitions, %d episodes, mean episode return %.1f (normalised %.1f)%n", out,
                    data.size(), data.episodeCount(), mean, e.spec().normalisedScore(mean));
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train an offline RL algorithm on a dataset; writes a run directory.")
    static final class Train implements Callable<Integer> {
        @Mixin
        RunOptions run;
        @Option(names = "--algo", description = "iql, td3bc, bc, awac, a2pr or famo2o.")
        String algo;
        @Option(names = "--dataset", description = "Dataset: D4RL-layout HDF5 file or Minari dataset (directory or main_data.hdf5).")
        String dataset;
        @Option(names = "--env", description = "Environment id the dataset comes from.")
        String env;
        @Option(names = "--steps", description = "Gradient steps.")
        Long steps;
        @Option(names = "--seed", description = "Seed.")
        Long seed;

        @Override
        public Integer call() {
            TrainConfig cfg = resolve();
            OfflineTrainer trainer = new OfflineTrainer(cfg, run.out).resume(run.resume).progressBar(run.progressBar());
            if (run.stopAfter != null) {
                trainer.stopAfter(run.stopAfter);
            }
            OfflineTrainer.Result r = trainer.fit();
            if (r.finalEvaluation() != null && r.stepsDone() == cfg.steps()) {
                System.out.printf("%s on %s: normalised score %.1f (return %.1f) after %d steps, %.0f steps/s; run: %s%n",
                        cfg.algo(), cfg.env(), r.finalEvaluation().meanScore(), r.finalEvaluation().meanReturn(),
                        r.stepsDone(), r.stepsPerSecond(), r.runDir());
            } else {
                System.out.printf("stopped at step %d; continue with --resume --out %s%n", r.stepsDone(), r.runDir());
            }
            return 0;
        }

        TrainConfig resolve() {
            List<String> own = new ArrayList<>();
            if (algo != null) own.add("algo=" + algo);
            if (dataset != null) own.add("dataset=" + dataset);
            if (env != null) own.add("env=" + env);
            if (steps != null) own.add("steps=" + steps);
            if (seed != null) own.add("seed=" + seed);
            TrainConfig cfg = run.resolve(TrainConfig.class, TrainConfig.defaults(), own);
            if (!run.resume && cfg.dataset().isBlank()) {
                throw new IllegalArgumentException("no dataset: pass --dataset FILE (make one with 'fulcrum control collect')");
            }
            return cfg;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Evaluate the newest checkpoint of a run over N episodes.")
    static final class Eval implements Callable<Integer> {
        @Option(names = "--run", required = true, description = "Run directory made by 'fulcrum control train'.")
        Path run;
        @Option(names = "--episodes", defaultValue = "20", description = "Episodes (default: ${DEFAULT-VALUE}).")
        int episodes;
        @Option(names = "--seed", defaultValue = "12345", description = "Evaluation seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            RunDirectory dir = RunDirectory.open(run);
            if (dev.fulcrum.control.train.OnlineTrainer.isOnlineRun(dir)) {
                System.out.println(Json.pretty(dev.fulcrum.control.train.OnlineTrainer.evaluateLatest(dir, episodes, seed)));
                return 0;
            }
            TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), dir.configFile(), List.of());
            Path ckpt = dir.latestCheckpoint().orElseThrow(() -> new IllegalArgumentException("run " + run + " has no checkpoint yet"));
            Env e = EnvRegistry.make(cfg.env());
            try (NDManager m = Torch.newManager()) {
                OfflineAlgorithm algo = Algorithms.create(cfg, m, e.spec().observationDim(), e.spec().actionDim(), DataType.FLOAT32,
                        new Rng(cfg.seed()));
                Checkpoint c = Checkpoint.load(ckpt, m);
                algo.loadState(c);
                Evaluation ev = Evaluation.run(e, new LearnedPolicy(algo, OfflineTrainer.preprocessorOf(c), m), episodes, new Rng(seed));
                Map<String, Object> out = new LinkedHashMap<>(ev.metrics());
                out.put("checkpoint", ckpt.toString());
                out.put("episodes", episodes);
                System.out.println(Json.pretty(out));
            }
            return 0;
        }
    }
}
