package dev.fulcrum.control.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.algo.OfflineAlgorithm;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.data.TransitionTable;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.eval.Evaluation;
import dev.fulcrum.core.nn.SideLane;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.Progress;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one training loop every offline algorithm runs in: load and preprocess the dataset, build the algorithm, then for
 * each step sample a minibatch and call {@code update} inside an {@link NDScope} (so no tensor outlives its step), log,
 * evaluate, checkpoint; finally write {@code summary.json} and the report.
 *
 * <p>Resuming restores weights, optimiser moments, RNG states and the step from the newest checkpoint and truncates
 * {@code metrics.jsonl} to it; with one intra-op thread the resumed run reproduces the uninterrupted one exactly.
 */
public final class OfflineTrainer {

    /** What a finished (or interrupted) run reports. */
    public record Result(Path runDir, long stepsDone, Evaluation finalEvaluation, double stepsPerSecond) {
    }

    private final TrainConfig config;
    private final Path out;
    private boolean resume;
    private boolean progress;
    private long stopAfter = Long.MAX_VALUE;

    public OfflineTrainer(TrainConfig config, Path out) {
        this.config = config;
        this.out = out;
    }

    /** Continue the run in {@code out} from its newest checkpoint. */
    public OfflineTrainer resume(boolean on) {
        this.resume = on;
        return this;
    }

    public OfflineTrainer progressBar(boolean on) {
        this.progress = on;
        return this;
    }

    /** Stop (as if killed) once this many steps are done in total; used to test resumption. */
    public OfflineTrainer stopAfter(long step) {
        this.stopAfter = step;
        return this;
    }

    public Result fit() {
        OfflineDataset data = D4rlHdf5.read(Path.of(config.dataset()));
        Env env = EnvRegistry.make(config.env());
        Env evalEnv = EnvRegistry.make(config.env());
        Preprocessor pre = Preprocessor.fit(data, env.spec(), config.normaliseObservations(), shaping(env));
        TransitionTable table = new TransitionTable(data, pre);

        RunDirectory run;
        if (resume) {
            run = RunDirectory.open(out);
        } else {
            run = RunDirectory.create(out);
            run.writeConfig(config);
        }
        Rng master = new Rng(config.seed());
        Rng batches = master.split("batches");
        try (NDManager manager = Torch.newManager(); SideLane lane = new SideLane()) {
            OfflineAlgorithm algo = Algorithms.create(config, manager, data.observationDim(), data.actionDim(), DataType.FLOAT32,
                    master);
            algo.useSideLane(lane);
            long start = 0;
            MetricsLog metrics;
            if (resume && run.latestCheckpoint().isPresent()) {
                Path file = run.latestCheckpoint().get();
                try (NDManager loading = manager.newSubManager()) {
                    Checkpoint c = Checkpoint.load(file, loading);
                    algo.loadState(c);
                    c.restoreRng("batches", batches);
                    start = c.step();
                }
                metrics = MetricsLog.openForResume(run.metricsFile(), start);
            } else {
                metrics = MetricsLog.create(run.metricsFile());
            }

            LearnedPolicy policy = new LearnedPolicy(algo, pre, manager);
            Evaluation last = null;
            long end = Math.min(config.steps(), stopAfter);
            long t0 = System.nanoTime();
            try (metrics; Progress bar = Progress.start("train " + config.algo(), config.steps(), start, progress)) {
                for (long step = start + 1; step <= end; step++) {
                    boolean logNow = step % config.logEvery() == 0;
                    Map<String, Double> m;
                    try (NDScope ignored = new NDScope()) {
                        m = algo.update(table.sample(batches, config.batchSize(), manager, DataType.FLOAT32), step, logNow);
                    }
                    if (logNow) {
                        metrics.log(step, "train", m);
                    }
                    if (step % config.evalEvery() == 0 || step == config.steps()) {
                        last = Evaluation.run(evalEnv, policy, config.evalEpisodes(), master.split("eval-" + step));
                        metrics.log(step, "eval", last.metrics());
                        bar.setExtra("score %.1f".formatted(last.meanScore()));
                    }
                    if (step % config.checkpointEvery() == 0 || step == config.steps()) {
                        saveCheckpoint(run, step, algo, batches, pre);
                    }
                    bar.step();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double stepsPerSecond = (end - start) / Math.max(1e-9, seconds);
            if (end == config.steps()) {
                writeSummary(run, data, pre, last, stepsPerSecond);
                dev.fulcrum.core.report.RunReport.write(run);
            }
            return new Result(out, end, last, stepsPerSecond);
        }
    }

    /** The normalised score of the freshly initialised policy (the baseline a learning test improves on). */
    public double evaluateUntrained(int episodes) {
        OfflineDataset data = D4rlHdf5.read(Path.of(config.dataset()));
        Env env = EnvRegistry.make(config.env());
        Preprocessor pre = Preprocessor.fit(data, env.spec(), config.normaliseObservations(), shaping(env));
        Rng master = new Rng(config.seed());
        try (NDManager manager = Torch.newManager()) {
            OfflineAlgorithm algo = Algorithms.create(config, manager, data.observationDim(), data.actionDim(), DataType.FLOAT32,
                    master);
            return Evaluation.run(env, new LearnedPolicy(algo, pre, manager), episodes, master.split("eval-0")).meanScore();
        }
    }

    private Preprocessor.RewardShaping shaping(Env env) {
        if (config.rewardShaping().equals("auto")) {
            return env.spec().sparseReward() ? Preprocessor.RewardShaping.MINUS_ONE : Preprocessor.RewardShaping.RETURN_RANGE;
        }
        return Preprocessor.RewardShaping.parse(config.rewardShaping());
    }

    private void saveCheckpoint(RunDirectory run, long step, OfflineAlgorithm algo, Rng batches, Preprocessor pre) {
        try (NDManager tmp = Torch.newManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(algo.stateTensors(tmp));
            tensors.put("preprocessor.observation_mean", tmp.create(pre.observationMean(), new Shape(pre.observationMean().length)));
            tensors.put("preprocessor.observation_std", tmp.create(pre.observationStd(), new Shape(pre.observationStd().length)));
            Map<String, String> meta = new LinkedHashMap<>(algo.stateMetadata());
            meta.put("algorithm", algo.name());
            meta.put("preprocessor.action_high", Float.toString(pre.actionHigh()));
            meta.put("preprocessor.reward_scale", Double.toString(pre.rewardScale()));
            meta.put("preprocessor.reward_shift", Double.toString(pre.rewardShift()));
            Checkpoint.putRng(meta, "batches", batches);
            new Checkpoint(step, tensors, meta).save(run.checkpointFile(step));
        }
        run.pruneCheckpoints(config.keepCheckpoints());
    }

    /** The preprocessor stored in a checkpoint by this trainer. */
    public static Preprocessor preprocessorOf(Checkpoint c) {
        return new Preprocessor(c.tensors().get("preprocessor.observation_mean").toFloatArray(),
                c.tensors().get("preprocessor.observation_std").toFloatArray(),
                Float.parseFloat(c.metadata().get("preprocessor.action_high")),
                Double.parseDouble(c.metadata().get("preprocessor.reward_scale")),
                Double.parseDouble(c.metadata().get("preprocessor.reward_shift")));
    }

    private void writeSummary(RunDirectory run, OfflineDataset data, Preprocessor pre, Evaluation last, double stepsPerSecond) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("algo", config.algo());
        s.put("env", config.env());
        s.put("seed", config.seed());
        s.put("steps", config.steps());
        s.put("final_normalised_score", last.meanScore());
        s.put("final_return_mean", last.meanReturn());
        s.put("final_episode_returns", last.returns());
        s.put("steps_per_second", stepsPerSecond);
        s.put("intra_op_threads", Torch.intraOpThreads());
        s.put("runtime", Map.of("java", Runtime.version().toString(), "djl", ai.djl.engine.Engine.getDjlVersion(),
                "engine", "PyTorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion()));
        s.put("dataset", Map.of("path", config.dataset(), "transitions", data.size(), "episodes", data.episodeCount(),
                "provenance", data.metadata()));
        s.put("reward_scale", pre.rewardScale());
        s.put("reward_shift", pre.rewardShift());
        run.writeSummary(s);
    }
}
