package dev.fulcrum.control.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.algo.OfflineAlgorithm;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.eval.Evaluation;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.report.RunReport;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The run-directory side of training that every trainer shares ({@link OfflineTrainer}, {@link OnlineTrainer}): creating
 * or resuming the run ({@code config.json}, {@code metrics.jsonl} truncated to the checkpoint), the evaluation and
 * checkpoint schedule, what a checkpoint holds (the algorithm's state, the preprocessor, named RNG states, and whatever
 * else a trainer adds), and the closing {@code summary.json} and report. A trainer keeps only its own loop.
 */
final class RunSession implements AutoCloseable {

    /** Adds a trainer's own state (a replay buffer, say) to a checkpoint being written. */
    @FunctionalInterface
    interface StateWriter {
        StateWriter NONE = (scratch, tensors, metadata) -> { };

        void write(NDManager scratch, Map<String, NDArray> tensors, Map<String, String> metadata);
    }

    private final RunDirectory run;
    private final MetricsLog metrics;
    private final long startStep;

    private RunSession(RunDirectory run, MetricsLog metrics, long startStep) {
        this.run = run;
        this.metrics = metrics;
        this.startStep = startStep;
    }

    /**
     * Starts a run in {@code out}: a new directory holding the resolved {@code config}, or, when resuming, the existing
     * one, whose newest checkpoint goes to {@code restore} (its tensors live in a scratch manager closed afterwards) and
     * whose metrics are cut back to that checkpoint's step. A run resumed before its first checkpoint starts over.
     */
    static RunSession start(Path out, Object config, boolean resume, NDManager manager, Consumer<Checkpoint> restore) {
        RunDirectory run;
        if (resume) {
            run = RunDirectory.open(out);
        } else {
            run = RunDirectory.create(out);
            run.writeConfig(config);
        }
        Optional<Path> latest = resume ? run.latestCheckpoint() : Optional.empty();
        if (latest.isEmpty()) {
            return new RunSession(run, MetricsLog.create(run.metricsFile()), 0);
        }
        long step;
        try (NDManager loading = manager.newSubManager()) {
            Checkpoint c = Checkpoint.load(latest.get(), loading);
            restore.accept(c);
            step = c.step();
        }
        return new RunSession(run, MetricsLog.openForResume(run.metricsFile(), step), step);
    }

    RunDirectory run() {
        return run;
    }

    /** The step the run continues from: 0, or the restored checkpoint's. */
    long startStep() {
        return startStep;
    }

    /** Refuses to resume a run whose newest checkpoint is already its last step (there is nothing left to do). */
    void requireUnfinished(long lastStep) {
        if (startStep >= lastStep) {
            throw new IllegalArgumentException("run " + run.root() + " is already complete (step " + startStep + " of "
                    + lastStep + "); nothing to resume");
        }
    }

    void log(long step, String phase, Map<String, ?> values) {
        metrics.log(step, phase, values);
    }

    /** Whether a periodic event (evaluation, checkpoint) falls on {@code step}: every {@code every} steps and at {@code last}. */
    static boolean due(long step, long every, long last) {
        return step % every == 0 || step == last;
    }

    /**
     * Evaluates {@code policy} over {@code episodes} episodes with the evaluation stream of this step
     * ({@code master.split("eval-" + step)}, so a resumed run evaluates identically) and logs it as phase {@code eval},
     * {@code extra} fields first.
     */
    Evaluation evaluate(long step, Env env, Policy policy, int episodes, Rng master, Map<String, ?> extra) {
        Evaluation e = Evaluation.run(env, policy, episodes, master.split("eval-" + step));
        Map<String, Object> record = new LinkedHashMap<>(extra);
        record.putAll(e.metrics());
        metrics.log(step, "eval", record);
        return e;
    }

    /** Writes {@code checkpoints/step-N.safetensors} (see {@link #writeState}) and keeps the newest {@code keep}. */
    void saveCheckpoint(long step, OfflineAlgorithm algo, Preprocessor pre, Map<String, Rng> rngs, StateWriter extra, int keep) {
        writeState(run.checkpointFile(step), step, algo, pre, rngs, extra);
        run.pruneCheckpoints(keep);
    }

    /**
     * Writes one checkpoint file atomically: the algorithm's tensors and counters, its name, the preprocessor, the named
     * RNG states, then {@code extra}'s entries.
     */
    static void writeState(Path file, long step, OfflineAlgorithm algo, Preprocessor pre, Map<String, Rng> rngs,
                           StateWriter extra) {
        try (NDManager tmp = Torch.newManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(algo.stateTensors(tmp));
            tensors.put("preprocessor.observation_mean", tmp.create(pre.observationMean(), new Shape(pre.observationMean().length)));
            tensors.put("preprocessor.observation_std", tmp.create(pre.observationStd(), new Shape(pre.observationStd().length)));
            Map<String, String> meta = new LinkedHashMap<>(algo.stateMetadata());
            meta.put("algorithm", algo.name());
            meta.put("preprocessor.action_high", Float.toString(pre.actionHigh()));
            meta.put("preprocessor.reward_scale", Double.toString(pre.rewardScale()));
            meta.put("preprocessor.reward_shift", Double.toString(pre.rewardShift()));
            rngs.forEach((name, rng) -> Checkpoint.putRng(meta, name, rng));
            extra.write(tmp, tensors, meta);
            new Checkpoint(step, tensors, meta).save(file);
        }
    }

    /** The preprocessor a checkpoint holds. */
    static Preprocessor preprocessorOf(Checkpoint c) {
        return new Preprocessor(c.tensors().get("preprocessor.observation_mean").toFloatArray(),
                c.tensors().get("preprocessor.observation_std").toFloatArray(),
                Float.parseFloat(c.metadata().get("preprocessor.action_high")),
                Double.parseDouble(c.metadata().get("preprocessor.reward_scale")),
                Double.parseDouble(c.metadata().get("preprocessor.reward_shift")));
    }

    /** The summary fields every run reports; a trainer appends its own. */
    static Map<String, Object> summary(String algo, String env, long seed, long steps, Evaluation last, double stepsPerSecond) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("algo", algo);
        s.put("env", env);
        s.put("seed", seed);
        s.put("steps", steps);
        s.put("final_normalised_score", last.meanScore());
        s.put("final_return_mean", last.meanReturn());
        s.put("final_episode_returns", last.returns());
        s.put("steps_per_second", stepsPerSecond);
        s.put("intra_op_threads", Torch.intraOpThreads());
        s.put("runtime", Map.of("java", Runtime.version().toString(), "djl", ai.djl.engine.Engine.getDjlVersion(),
                "engine", "PyTorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion()));
        return s;
    }

    /** Writes {@code summary.json} and the report: the run is complete. */
    void finish(Map<String, Object> summary) {
        run.writeSummary(summary);
        RunReport.write(run);
    }

    @Override
    public void close() {
        metrics.close();
    }
}
