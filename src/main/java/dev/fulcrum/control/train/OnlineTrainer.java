package dev.fulcrum.control.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.algo.OnlineAlgorithm;
import dev.fulcrum.control.data.DatasetFormat;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.data.ReplayBuffer;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.control.eval.Evaluation;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.control.policy.UniformRandomPolicy;
import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.SideLane;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.FitOptions;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.Progress;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The training loop of online and offline-to-online runs, with the same run-directory contract as {@link OfflineTrainer}
 * (the shared parts live in {@link RunSession}).
 *
 * <p>One replay buffer serves the whole run: it is pre-filled with the dataset (if any), the offline phase takes
 * {@code offlineSteps} gradient steps on it, and the online phase then appends one transition per environment step,
 * acting with the algorithm's stochastic policy ({@link OnlineAlgorithm#explore}; uniformly random for the first
 * {@code randomSteps}) and taking {@code updatesPerStep} gradient steps after each. Normalisation statistics and reward
 * shaping are fitted once on the dataset and stay fixed. {@code metrics.jsonl} records both phases on one step axis, each
 * record carrying {@code "stage": "offline"|"online"}; finished episodes are logged as {@code "phase": "episode"}.
 *
 * <p>Randomness comes from named streams of the seed: {@code batches} (minibatches), {@code explore} (actions),
 * {@code env} (resets and any environment noise), {@code eval-STEP}. A checkpoint holds the algorithm, these streams, the
 * rows the run added to the buffer (the dataset is re-read and checked against a checksum on resume), and the episode in
 * progress as its reset state and actions: resuming replays them into the environment, checks that it arrives at the same
 * observation, and continues exactly where the interrupted run stopped.
 */
public final class OnlineTrainer extends FitOptions<OnlineTrainer> {
    static final String STAGE_OFFLINE = "offline", STAGE_ONLINE = "online";
    private static final String REPLAY = "replay";

    /** What a finished (or interrupted) run reports; steps count offline gradient steps and online environment steps. */
    public record Result(Path runDir, long stepsDone, Evaluation finalEvaluation, double stepsPerSecond) {
    }

    private final OnlineConfig config;
    private final Path out;
    private boolean keepEvaluatedPolicies;
    private boolean sideLane = true;

    public OnlineTrainer(OnlineConfig config, Path out) {
        this.config = config;
        this.out = out;
    }

    /**
     * Whether algorithms may run part of their step on a second thread ({@link OnlineAlgorithm#useSideLane}; numbers are
     * the same either way). Off keeps a run on one core, for running several runs side by side on a busy machine.
     */
    public OnlineTrainer sideLane(boolean on) {
        this.sideLane = on;
        return this;
    }

    /**
     * Also save the policy at every evaluation, as {@code RUN/policies/step-N.safetensors} (the algorithm's state and the
     * preprocessor, without the replay buffer), for choosing a policy by its evaluation afterwards (dataset tiers).
     */
    public OnlineTrainer keepEvaluatedPolicies(boolean on) {
        this.keepEvaluatedPolicies = on;
        return this;
    }

    /** Where {@link #keepEvaluatedPolicies} puts the policy evaluated at {@code step}. */
    public static Path policyFile(RunDirectory run, long step) {
        return run.root().resolve("policies").resolve("step-%08d.safetensors".formatted(step));
    }

    /** Whether {@code run} was made by this trainer (its config has {@code onlineSteps}). */
    public static boolean isOnlineRun(RunDirectory run) {
        try {
            return Json.COMPACT.readTree(run.configFile().toFile()).has("onlineSteps");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + run.configFile() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Evaluates the newest checkpoint of an online run deterministically over {@code episodes} episodes from {@code seed};
     * returns the evaluation's metrics with the checkpoint and episode count.
     */
    public static Map<String, Object> evaluateLatest(RunDirectory run, int episodes, long seed) {
        OnlineConfig cfg = ConfigLoader.load(OnlineConfig.class, OnlineConfig.defaults(), run.configFile(), List.of());
        Path file = run.latestCheckpoint().orElseThrow(() -> new IllegalArgumentException("run " + run.root()
                + " has no checkpoint yet"));
        Env env = EnvRegistry.make(cfg.env());
        try (NDManager m = Torch.newManager()) {
            OnlineAlgorithm algo = Algorithms.createOnline(cfg, m, env.spec().observationDim(), env.spec().actionDim(),
                    DataType.FLOAT32, new Rng(cfg.seed()));
            Checkpoint c = Checkpoint.load(file, m);
            algo.loadState(c);
            Evaluation e = Evaluation.run(env, new LearnedPolicy(algo, RunSession.preprocessorOf(c), m), episodes, new Rng(seed));
            Map<String, Object> out = new LinkedHashMap<>(e.metrics());
            out.put("checkpoint", file.toString());
            out.put("episodes", episodes);
            return out;
        }
    }

    /** A trained algorithm restored from a checkpoint, with the preprocessor its run used. */
    public record Trained(OnlineAlgorithm algorithm, Preprocessor preprocessor) {
    }

    /** Restores the newest checkpoint of the online run {@code run} into {@code manager}. */
    public static Trained loadLatest(RunDirectory run, NDManager manager) {
        OnlineConfig cfg = ConfigLoader.load(OnlineConfig.class, OnlineConfig.defaults(), run.configFile(), List.of());
        Path file = run.latestCheckpoint().orElseThrow(() -> new IllegalArgumentException("run " + run.root()
                + " has no checkpoint yet"));
        EnvSpec spec = EnvRegistry.make(cfg.env()).spec();
        OnlineAlgorithm algo = Algorithms.createOnline(cfg, manager, spec.observationDim(), spec.actionDim(), DataType.FLOAT32,
                new Rng(cfg.seed()));
        Checkpoint c = Checkpoint.load(file, manager);
        algo.loadState(c);
        return new Trained(algo, RunSession.preprocessorOf(c));
    }

    public Result fit() {
        if (config.offlineSteps() > 0 && !config.hasDataset()) {
            throw new ConfigException("offlineSteps", "is " + config.offlineSteps() + " but there is no dataset to learn from "
                    + "before acting; set dataset (or offlineSteps=0)");
        }
        Env env = EnvRegistry.make(config.env());
        Env evalEnv = EnvRegistry.make(config.env());
        OfflineDataset data = config.hasDataset() ? DatasetFormat.readAny(Path.of(config.dataset())) : null;
        Preprocessor pre = preprocessor(data, env);
        int observationDim = env.spec().observationDim(), actionDim = env.spec().actionDim();
        long datasetRows = data == null ? 0 : data.size();
        ReplayBuffer buffer = new ReplayBuffer(observationDim, actionDim, capacity(datasetRows));
        if (data != null) {
            buffer.addAll(data);
        }
        String datasetChecksum = data == null ? "" : checksum(data);
        long total = config.totalSteps();

        Rng master = new Rng(config.seed());
        Rng batches = master.split("batches");
        Rng exploration = master.split("explore");
        Rng resets = master.split("env");
        Episode episode = new Episode(env, resets);
        long[] gradientSteps = {0};
        try (NDManager manager = Torch.newManager(); SideLane lane = new SideLane()) {
            OnlineAlgorithm algo = Algorithms.createOnline(config, manager, observationDim, actionDim, DataType.FLOAT32, master);
            if (sideLane && SideLane.enabled()) {
                algo.useSideLane(lane);
            }
            try (RunSession session = RunSession.start(out, config, resume, manager, c -> {
                requireSameDataset(c, datasetRows, datasetChecksum);
                algo.loadState(c);
                c.restoreRng("batches", batches);
                c.restoreRng("explore", exploration);
                c.restoreRng("env", resets);
                buffer.restoreState(REPLAY, c);
                gradientSteps[0] = Long.parseLong(c.metadata().get("online.gradient_steps"));
                episode.restore(c);
            })) {
                session.requireUnfinished(total);
                long start = session.startStep();
                Policy evaluationPolicy = new LearnedPolicy(algo, pre, manager);
                Policy explorer = new ExploringPolicy(algo, pre, manager);
                Policy random = new UniformRandomPolicy(env.spec());
                RunSession.StateWriter runState = (scratch, tensors, meta) -> {
                    meta.put("online.gradient_steps", Long.toString(gradientSteps[0]));
                    meta.put("online.dataset_rows", Long.toString(datasetRows));
                    meta.put("online.dataset_crc32", datasetChecksum);
                    buffer.saveState(REPLAY, datasetRows, scratch, tensors, meta);
                    episode.save(scratch, tensors, meta);
                };
                Evaluation last = null;
                long end = Math.min(total, stopAfter);
                long t0 = System.nanoTime();
                try (Progress bar = Progress.start((config.offlineSteps() > 0 ? "finetune " : "online ") + config.algo(), total,
                        start, progress)) {
                    for (long step = start + 1; step <= end; step++) {
                        boolean offline = step <= config.offlineSteps();
                        String stage = offline ? STAGE_OFFLINE : STAGE_ONLINE;
                        boolean logNow = step % config.logEvery() == 0;
                        Map<String, Double> m = null;
                        if (offline) {
                            m = learn(algo, buffer, pre, batches, manager, ++gradientSteps[0], logNow);
                        } else {
                            long onlineStep = step - config.offlineSteps();
                            Policy actor = onlineStep <= config.randomSteps() ? random : explorer;
                            Env.Step outcome = episode.advance(actor, exploration, buffer);
                            if (outcome.done()) {
                                session.log(step, "episode", episode.finish(outcome));
                            }
                            if (onlineStep > config.randomSteps() && buffer.size() >= config.batchSize()) {
                                for (int k = 1; k <= config.updatesPerStep(); k++) {
                                    boolean metricsNow = logNow && k == config.updatesPerStep();
                                    Map<String, Double> u = learn(algo, buffer, pre, batches, manager, ++gradientSteps[0], metricsNow);
                                    m = metricsNow ? u : m;
                                }
                            }
                        }
                        if (logNow && m != null) {
                            Map<String, Object> record = new LinkedHashMap<>();
                            record.put("stage", stage);
                            record.putAll(m);
                            session.log(step, "train", record);
                        }
                        boolean phaseEnd = step == config.offlineSteps() || step == total;
                        if (RunSession.due(step, config.evalEvery(), total) || phaseEnd) {
                            last = session.evaluate(step, evalEnv, evaluationPolicy, config.evalEpisodes(), master,
                                    Map.of("stage", stage));
                            bar.setExtra("score %.1f".formatted(last.meanScore()));
                            if (keepEvaluatedPolicies) {
                                RunSession.writeState(policyFile(session.run(), step), step, algo, pre, Map.of(),
                                        RunSession.StateWriter.NONE);
                            }
                        }
                        if (RunSession.due(step, config.checkpointEvery(), total) || phaseEnd) {
                            session.saveCheckpoint(step, algo, pre, Map.of("batches", batches, "explore", exploration,
                                    "env", resets), runState, config.keepCheckpoints());
                        }
                        bar.step();
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double stepsPerSecond = (end - start) / Math.max(1e-9, seconds);
                if (end == total) {
                    session.finish(summary(session.run(), data, pre, buffer, last, gradientSteps[0], episode.completed,
                            stepsPerSecond));
                }
                return new Result(out, end, last, stepsPerSecond);
            }
        }
    }

    /** One gradient step on a minibatch from the buffer, inside its own scope. */
    private Map<String, Double> learn(OnlineAlgorithm algo, ReplayBuffer buffer, Preprocessor pre, Rng batches,
                                      NDManager manager, long gradientStep, boolean withMetrics) {
        try (NDScope ignored = new NDScope()) {
            return algo.update(buffer.sample(batches, config.batchSize(), pre, manager, DataType.FLOAT32), gradientStep,
                    withMetrics);
        }
    }

    private Preprocessor preprocessor(OfflineDataset data, Env env) {
        if (data != null) {
            return Preprocessor.fit(data, env.spec(), config.normaliseObservations(),
                    OfflineTrainer.shaping(config.rewardShaping(), env, config.algo()));
        }
        Preprocessor.RewardShaping shaping = config.rewardShaping().equals("auto")
                ? (env.spec().sparseReward() ? Preprocessor.RewardShaping.MINUS_ONE : Preprocessor.RewardShaping.NONE)
                : Preprocessor.RewardShaping.parse(config.rewardShaping());
        return Preprocessor.withoutData(env.spec(), shaping);
    }

    private int capacity(long datasetRows) {
        if (config.replayCapacity() > 0) {
            return config.replayCapacity();
        }
        long everything = datasetRows + config.onlineSteps();
        if (everything > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dataset rows + onlineSteps = " + everything + " transitions do not fit one "
                    + "replay buffer; set replayCapacity");
        }
        return (int) Math.max(1, everything);
    }

    /** CRC-32 of the dataset's arrays: a resumed run must pre-fill its buffer with the very same rows. */
    static String checksum(OfflineDataset d) {
        CRC32 crc = new CRC32();
        for (float[] a : List.of(d.observations(), d.actions(), d.rewards(), d.nextObservations())) {
            ByteBuffer b = ByteBuffer.allocate(a.length * Float.BYTES);
            b.asFloatBuffer().put(a);
            crc.update(b);
        }
        for (boolean[] flags : List.of(d.terminals(), d.timeouts())) {
            byte[] bytes = new byte[flags.length];
            for (int i = 0; i < flags.length; i++) {
                bytes[i] = (byte) (flags[i] ? 1 : 0);
            }
            crc.update(bytes);
        }
        return Long.toHexString(crc.getValue());
    }

    private void requireSameDataset(Checkpoint c, long rows, String checksum) {
        String savedRows = c.metadata().get("online.dataset_rows"), savedChecksum = c.metadata().get("online.dataset_crc32");
        if (savedRows == null) {
            throw new IllegalArgumentException("checkpoint is not from an online run (no online.dataset_rows)");
        }
        if (Long.parseLong(savedRows) != rows || !checksum.equals(savedChecksum)) {
            throw new IllegalArgumentException("dataset " + config.dataset() + " is not the one the run started with ("
                    + rows + " rows, checksum " + checksum + "; the run had " + savedRows + " rows, checksum " + savedChecksum + ")");
        }
    }

    private Map<String, Object> summary(RunDirectory run, OfflineDataset data, Preprocessor pre, ReplayBuffer buffer,
                                        Evaluation last, long gradientSteps, long episodes, double stepsPerSecond) {
        Map<String, Object> s = RunSession.summary(config.algo(), config.env(), config.seed(), config.totalSteps(), last,
                stepsPerSecond);
        s.put("offline_steps", config.offlineSteps());
        s.put("online_steps", config.onlineSteps());
        s.put("gradient_steps", gradientSteps);
        s.put("online_episodes", episodes);
        if (config.offlineSteps() > 0) {
            for (JsonNode row : MetricsLog.read(run.metricsFile())) {
                if (row.path("phase").asText().equals("eval") && row.path("step").asLong() == config.offlineSteps()) {
                    s.put("offline_final_normalised_score", row.path("normalised_score").asDouble());
                    s.put("offline_final_return_mean", row.path("return_mean").asDouble());
                }
            }
        }
        s.put("replay", Map.of("capacity", buffer.capacity(), "size", buffer.size(), "added", buffer.added()));
        if (data != null) {
            s.put("dataset", Map.of("path", config.dataset(), "transitions", data.size(), "episodes", data.episodeCount(),
                    "provenance", data.metadata()));
        }
        s.put("reward_scale", pre.rewardScale());
        s.put("reward_shift", pre.rewardShift());
        return s;
    }

    /**
     * The training environment's episode in progress: enough to act in it, log it when it ends, and rebuild it on resume
     * (the reset stream's state just before its reset, and the actions taken since).
     */
    private static final class Episode {
        private final Env env;
        private final Rng resets;
        private float[] observation; // null: the next online step starts a new episode
        private Rng.State startState;
        private final List<float[]> actions = new ArrayList<>();
        private double totalReward;
        long completed;

        Episode(Env env, Rng resets) {
            this.env = env;
            this.resets = resets;
        }

        /** Takes one step with {@code policy} (starting an episode first if none is running) and records it in {@code buffer}. */
        Env.Step advance(Policy policy, Rng exploration, ReplayBuffer buffer) {
            if (observation == null) {
                startState = resets.state();
                actions.clear();
                totalReward = 0;
                observation = env.reset(resets);
            }
            float[] action = policy.act(observation, exploration);
            Env.Step outcome = env.step(action);
            buffer.add(observation, action, outcome.reward(), outcome.observation(), outcome.terminated(),
                    outcome.truncated() && !outcome.terminated());
            actions.add(action);
            totalReward += outcome.reward();
            observation = outcome.done() ? null : outcome.observation();
            return outcome;
        }

        /** The record of the episode that {@code last} ended. */
        Map<String, Object> finish(Env.Step last) {
            completed++;
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("stage", STAGE_ONLINE);
            record.put("episode", completed);
            record.put("return", totalReward);
            record.put("length", actions.size());
            record.put("normalised_score", env.spec().normalisedScore(totalReward));
            record.put("terminated", last.terminated());
            return record;
        }

        void save(NDManager scratch, Map<String, NDArray> tensors, Map<String, String> meta) {
            meta.put("online.episodes_completed", Long.toString(completed));
            meta.put("online.episode_steps", Integer.toString(observation == null ? 0 : actions.size()));
            if (observation == null) {
                return;
            }
            Rng start = new Rng(startState.seed());
            start.restore(startState);
            Checkpoint.putRng(meta, "env-episode-start", start);
            int a = actions.getFirst().length;
            float[] flat = new float[actions.size() * a];
            for (int i = 0; i < actions.size(); i++) {
                System.arraycopy(actions.get(i), 0, flat, i * a, a);
            }
            tensors.put("online.episode_actions", scratch.create(flat, new Shape(actions.size(), a)));
            tensors.put("online.observation", scratch.create(observation, new Shape(observation.length)));
        }

        /**
         * Rebuilds the episode a checkpoint was taken in: resets the environment from the saved reset-stream state and
         * replays the saved actions; the environment must arrive at the saved observation with the reset stream where the
         * checkpoint left it (all our environments are deterministic given the stream).
         */
        void restore(Checkpoint c) {
            completed = Long.parseLong(c.metadata().get("online.episodes_completed"));
            int steps = Integer.parseInt(c.metadata().get("online.episode_steps"));
            actions.clear();
            totalReward = 0;
            if (steps == 0) {
                observation = null;
                return;
            }
            Rng.State checkpointed = resets.state();
            c.restoreRng("env-episode-start", resets);
            startState = resets.state();
            float[] o = env.reset(resets);
            float[] saved = c.tensors().get("online.episode_actions").toFloatArray();
            int a = saved.length / steps;
            for (int i = 0; i < steps; i++) {
                float[] action = Arrays.copyOfRange(saved, i * a, (i + 1) * a);
                Env.Step outcome = env.step(action);
                actions.add(action);
                totalReward += outcome.reward();
                o = outcome.observation();
            }
            float[] expected = c.tensors().get("online.observation").toFloatArray();
            if (!Arrays.equals(o, expected) || !resets.state().equals(checkpointed)) {
                throw new IllegalStateException("cannot resume mid-episode: environment " + env.spec().id() + " did not "
                        + "reproduce the episode in progress from its reset state and actions (is it deterministic?)");
            }
            observation = o;
        }
    }
}
