package dev.fulcrum.control.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.algo.OfflineAlgorithm;
import dev.fulcrum.control.data.DatasetFormat;
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
import dev.fulcrum.core.run.FitOptions;
import dev.fulcrum.core.run.Progress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one training loop every offline algorithm runs in: load and preprocess the dataset, build the algorithm, then for
 * each step sample a minibatch and call {@code update} inside an {@link NDScope} (so no tensor outlives its step), log,
 * evaluate, checkpoint; finally write {@code summary.json} and the report.
 *
 * <p>Resuming restores weights, optimiser moments, RNG states and the step from the newest checkpoint and truncates
 * {@code metrics.jsonl} to it; with one intra-op thread the resumed run reproduces the uninterrupted one exactly.
 */
public final class OfflineTrainer extends FitOptions<OfflineTrainer> {

    /** What a finished (or interrupted) run reports. */
    public record Result(Path runDir, long stepsDone, Evaluation finalEvaluation, double stepsPerSecond) {
    }

    private final TrainConfig config;
    private final Path out;

    public OfflineTrainer(TrainConfig config, Path out) {
        this.config = config;
        this.out = out;
    }

    public Result fit() {
        OfflineDataset data = DatasetFormat.readAny(Path.of(config.dataset()));
        Env env = EnvRegistry.make(config.env());
        Env evalEnv = EnvRegistry.make(config.env());
        Preprocessor pre = Preprocessor.fit(data, env.spec(), config.normaliseObservations(), shaping(env));
        TransitionTable table = new TransitionTable(data, pre);

        Rng master = new Rng(config.seed());
        Rng batches = master.split("batches");
        try (NDManager manager = Torch.newManager(); SideLane lane = new SideLane()) {
            OfflineAlgorithm algo = Algorithms.create(config, manager, data.observationDim(), data.actionDim(), DataType.FLOAT32,
                    master);
            if (SideLane.enabled()) {
                algo.useSideLane(lane);
            }
            try (RunSession session = RunSession.start(out, config, resume, manager, c -> {
                algo.loadState(c);
                c.restoreRng("batches", batches);
            })) {
                session.requireUnfinished(config.steps());
                long start = session.startStep();
                LearnedPolicy policy = new LearnedPolicy(algo, pre, manager);
                Evaluation last = null;
                long end = Math.min(config.steps(), stopAfter);
                long t0 = System.nanoTime();
                try (Progress bar = Progress.start("train " + config.algo(), config.steps(), start, progress)) {
                    for (long step = start + 1; step <= end; step++) {
                        boolean logNow = step % config.logEvery() == 0;
                        Map<String, Double> m;
                        try (NDScope ignored = new NDScope()) {
                            m = algo.update(table.sample(batches, config.batchSize(), manager, DataType.FLOAT32), step, logNow);
                        }
                        if (logNow) {
                            session.log(step, "train", m);
                        }
                        if (RunSession.due(step, config.evalEvery(), config.steps())) {
                            last = session.evaluate(step, evalEnv, policy, config.evalEpisodes(), master, Map.of());
                            bar.setExtra("score %.1f".formatted(last.meanScore()));
                        }
                        if (RunSession.due(step, config.checkpointEvery(), config.steps())) {
                            session.saveCheckpoint(step, algo, pre, Map.of("batches", batches), RunSession.StateWriter.NONE,
                                    config.keepCheckpoints());
                        }
                        bar.step();
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double stepsPerSecond = (end - start) / Math.max(1e-9, seconds);
                if (end == config.steps()) {
                    Map<String, Object> s = RunSession.summary(config.algo(), config.env(), config.seed(), config.steps(), last,
                            stepsPerSecond);
                    s.put("dataset", Map.of("path", config.dataset(), "transitions", data.size(), "episodes", data.episodeCount(),
                            "provenance", data.metadata()));
                    s.put("reward_scale", pre.rewardScale());
                    s.put("reward_shift", pre.rewardShift());
                    session.finish(s);
                }
                return new Result(out, end, last, stepsPerSecond);
            }
        }
    }

    /** The normalised score of the freshly initialised policy (the baseline a learning test improves on). */
    public double evaluateUntrained(int episodes) {
        OfflineDataset data = DatasetFormat.readAny(Path.of(config.dataset()));
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
        return shaping(config.rewardShaping(), env, config.algo());
    }

    /** A {@code rewardShaping} setting for a run with a dataset: {@code auto} is return-range (dense) or minus-one (sparse). */
    /**
     * The reward transform a setting names; {@code auto} follows CORL's choices per algorithm: minus-one on sparse-reward
     * tasks, and on dense ones return-range scaling for every algorithm but AWAC, which CORL trains on the raw rewards
     * ({@code normalize_reward = False} in its awac.py). AWAC's weights {@code exp(A / lambda)} read the advantage's scale,
     * so return-range scaling acts as a smaller lambda: on hopper medium-expert (20k steps, 3 seeds) it collapsed AWAC to
     * a normalised score near 0, where raw rewards gave about 100 (docs/results/control-tiers.md).
     */
    static Preprocessor.RewardShaping shaping(String setting, Env env, String algo) {
        if (setting.equals("auto")) {
            if (env.spec().sparseReward()) {
                return Preprocessor.RewardShaping.MINUS_ONE;
            }
            return algo.equals("awac") ? Preprocessor.RewardShaping.NONE : Preprocessor.RewardShaping.RETURN_RANGE;
        }
        return Preprocessor.RewardShaping.parse(setting);
    }

    /** The preprocessor stored in a checkpoint by this trainer. */
    public static Preprocessor preprocessorOf(Checkpoint c) {
        return RunSession.preprocessorOf(c);
    }
}
