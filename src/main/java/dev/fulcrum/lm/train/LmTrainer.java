package dev.fulcrum.lm.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Devices;
import dev.fulcrum.core.nn.GradientClipping;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.nn.WarmupCosine;
import dev.fulcrum.core.report.RunReport;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.FitOptions;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.Progress;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.lm.data.ChatTemplate;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one training loop of every language-model objective ({@link LmObjective}): AdamW with decoupled weight decay, a
 * warm-up + cosine schedule, global-norm clipping and gradient accumulation; each update's micro-batches run inside an
 * {@link NDScope} and a {@link Torch.Tape}. It writes the run directory every Fulcrum run writes ({@code config.json},
 * {@code metrics.jsonl}, {@code summary.json}, {@code checkpoints/}, {@code report.md}) plus
 * {@code tokenizer/tokenizer.json} and, at the end, the trained model as a Hugging Face directory {@code model/}.
 *
 * <p>Metrics (phase {@code train}, every {@code logEvery} updates): {@code loss} (mean over the update's micro-batches),
 * {@code lr}, {@code grad_norm} (before clipping), {@code tokens_per_s} (over the updates since the last log, wall clock),
 * {@code epoch} and the objective's own. Phase {@code eval}: the objective's evaluation.
 *
 * <p>A checkpoint holds the trainable parameters ({@code param.*}), the AdamW moments ({@code adam.m.*},
 * {@code adam.v.*}) and step count, the data order's generator state and position, and the step; {@code resume}
 * restores all of it and truncates {@code metrics.jsonl} to the checkpoint, so with one intra-op thread a resumed run
 * reproduces an uninterrupted one exactly (timing metrics aside).
 *
 * <p>The model trains on {@code config.device} (the CPU unless asked): the root manager is created there, so every
 * tensor the objectives make from it lives there too. Checkpoints and the exported model are written from host copies and
 * restored through host tensors, so a run may resume on another device ({@code --resume --device ...}).
 */
public final class LmTrainer extends FitOptions<LmTrainer> {
    public static final String MODEL_DIR = "model";
    public static final String TOKENIZER_DIR = "tokenizer";
    /** Metrics that measure the machine rather than the run (excluded when runs are compared for equality). */
    public static final java.util.Set<String> TIMING_METRICS = java.util.Set.of("tokens_per_s");

    /** What a finished (or interrupted) run reports. */
    public record Result(Path runDir, long stepsDone, Map<String, Double> finalEvaluation, double tokensPerSecond) {
    }

    private final LmTrainConfig config;
    private final Path out;
    /** Optimiser and clipping by engine operations even on the CPU (the GPU path, for tests). */
    private boolean engineOps;

    public LmTrainer(LmTrainConfig config, Path out) {
        this.config = config;
        this.out = out;
    }

    /** Updates parameters by in-place engine operations, as on a GPU, even on the CPU (to test that path here). */
    LmTrainer usingEngineOps() {
        this.engineOps = true;
        return this;
    }

    public Result fit() {
        if (config.data().isBlank()) {
            throw new IllegalArgumentException("no training data: pass --data FILE (make some with 'fulcrum lm make-data')");
        }
        Path dataFile = Path.of(config.data());
        if (!Files.isRegularFile(dataFile)) {
            throw new IllegalArgumentException("data file not found: " + dataFile);
        }
        Path initDir = config.fromCheckpoint() ? ModelDirectories.resolve(Path.of(config.init())) : null;
        RunDirectory resumed = resume ? RunDirectory.open(out) : null;
        String init = initDir == null ? "" : initDir.toString();
        Device device = Devices.resolve(config.device()); // a GPU the engine cannot use fails here, before anything is written
        Tokenizer tokenizer = TokenizerFiles.open(config.tokenizer(), init);
        try (NDManager manager = Torch.newManager(device)) {
            Rng master = new Rng(config.seed());
            LmObjective objective = objective(manager, tokenizer, master, initDir); // bad data fails here, before anything is written
            int[] difficulty = difficulties(objective);
            RunDirectory run = resume ? resumed : RunDirectory.create(out);
            if (!resume) {
                run.writeConfig(config);
                TokenizerFiles.write(tokenizer, config.tokenizer(), init, run.root().resolve(TOKENIZER_DIR));
            }
            objective.attach(run.root(), manager);
            return train(run, objective, manager, master, tokenizer.toString(), difficulty);
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    private LmObjective objective(NDManager manager, Tokenizer tokenizer, Rng master, Path initDir) {
        return switch (config.objective()) {
            case "sft" -> new SftObjective(initialModel(manager, tokenizer, master, initDir), tokenizer,
                    SftJsonl.read(Path.of(config.data())), config.data(), config.eval(), ChatTemplate.of(initDir));
            case "reward" -> {
                DecoderLm trunk = initialModel(manager, tokenizer, master, initDir);
                yield new RewardObjective(RewardModel.withNewHead(manager, trunk, config.reward().head(), config.reward().gateInit(), master.split("head")), tokenizer,
                        PreferenceJsonl.read(Path.of(config.data())), config.data(), config.reward(), master.split("held-out"),
                        ChatTemplate.of(initDir));
            }
            case "dpo" -> {
                DecoderLm policy = initialModel(manager, tokenizer, master, initDir);
                PreferenceSettings p = config.preference();
                DecoderLm reference = p.reference().isBlank() ? PreferenceObjective.frozenCopy(policy, manager)
                        : PreferenceObjective.loadReference(Path.of(p.reference()), manager, tokenizer);
                String referenceSource = !p.reference().isBlank() ? p.reference() : initDir != null ? initDir.toString()
                        : "the fresh initial parameters";
                PreferenceObjective preference = new PreferenceObjective(policy, reference, referenceSource, tokenizer,
                        PreferenceJsonl.read(Path.of(config.data())), config.data(), p.pairObjective(), p, master.split("held-out"),
                        ChatTemplate.of(initDir));
                yield p.anchor().isBlank() ? preference : preference.withAnchor(PreferenceObjective.loadReference(Path.of(p.anchor()), manager, tokenizer));
            }
            case "srpo" -> {
                if (initDir == null) {
                    throw new IllegalArgumentException("srpo needs a starting model to train and to anchor to: pass --init RUN_OR_MODEL");
                }
                yield new SrpoObjective(manager, initialModel(manager, tokenizer, master, initDir),
                        HfCheckpoint.load(initDir, manager, DataType.FLOAT32), tokenizer, PreferenceJsonl.read(Path.of(config.data())),
                        config.data(), config.srpo());
            }
            case "pit-reward" -> new dev.fulcrum.lm.pit.GapRewardObjective(RewardModel.withNewHead(manager,
                    initialModel(manager, tokenizer, master, initDir), master.split("head")), tokenizer,
                    PreferenceJsonl.read(Path.of(config.data())), config.data(), config.reward(), master.split("held-out"));
            default -> throw new IllegalStateException("unknown objective " + config.objective());
        };
    }

    /** A fresh model of shape {@code config.model} for the tokenizer, or the model of {@code config.init} (a model or run). */
    private DecoderLm initialModel(NDManager manager, Tokenizer tokenizer, Rng master, Path initDir) {
        if (initDir != null) {
            DecoderLm model = HfCheckpoint.load(initDir, manager, DataType.FLOAT32);
            if (tokenizer.vocabSize() > model.config().vocabSize()) {
                throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model in "
                        + config.init() + " only " + model.config().vocabSize());
            }
            return model;
        }
        LmConfig shape = config.model().toConfig(tokenizer);
        return DecoderLm.initialise(manager, shape, DataType.FLOAT32, master.split("init"));
    }

    /** Each example's difficulty for {@code dataOrder=easy-to-hard}, else null. */
    private int[] difficulties(LmObjective objective) {
        if (!config.dataOrder().equals("easy-to-hard")) {
            return null;
        }
        int[] difficulty = objective.exampleDifficulties();
        if (difficulty == null) {
            throw new IllegalArgumentException("dataOrder easy-to-hard: objective " + objective.name() + " has no example difficulties");
        }
        return difficulty;
    }

    private Result train(RunDirectory run, LmObjective objective, NDManager manager, Rng master, String tokenizerName, int[] difficulty) {
        Map<String, NDArray> parameters = objective.parameters();
        Adam adam = config.optimizer().optimizer(manager, parameters);
        if (engineOps) {
            adam.usingEngineOps();
        }
        WarmupCosine schedule = config.optimizer().schedule(config.steps());
        BatchPlan plan = new BatchPlan(objective.exampleLengths(), config.batchSize(), config.lengthGrouped(), master.split("batches"),
                difficulty);
        long start = 0;
        MetricsLog metrics;
        if (resume && run.latestCheckpoint().isPresent()) {
            try (NDManager loading = Torch.newManager()) { // host tensors, copied onto the model's device by the restore
                Checkpoint c = Checkpoint.load(run.latestCheckpoint().get(), loading);
                restore(c, parameters, adam, plan);
                start = c.step();
            }
            metrics = MetricsLog.openForResume(run.metricsFile(), start);
        } else {
            metrics = MetricsLog.create(run.metricsFile());
        }
        if (start == config.steps()) { // a finished run: nothing to redo, its summary and model stay as written
            metrics.close();
            return new Result(out, start, null, 0);
        }
        long end = Math.min(config.steps(), stopAfter);
        Map<String, Double> lastEval = null;
        long tokensTotal = 0, tokensSinceLog = 0;
        long t0 = System.nanoTime(), lastLog = t0;
        try (metrics; Progress bar = Progress.start(objective.name(), config.steps(), start, progress)) {
            for (long step = start + 1; step <= end; step++) {
                schedule.apply(adam);
                double lr = adam.learningRate();
                adam.zeroGradients();
                double loss = 0;
                long tokens = 0;
                Map<String, Double> extra = new LinkedHashMap<>();
                for (int micro = 0; micro < config.accumulation(); micro++) {
                    int[] batch = plan.next();
                    try (NDScope ignored = new NDScope(); Torch.Tape tape = new Torch.Tape()) {
                        LmObjective.BatchLoss l = objective.loss(manager, batch);
                        NDArray scaled = config.accumulation() == 1 ? l.loss()
                                : l.loss().mul(Scalars.of(l.loss(), 1.0 / config.accumulation()));
                        tape.backward(scaled);
                        loss += Torch.scalar(l.loss()) / config.accumulation();
                        tokens += l.tokens();
                        l.metrics().forEach((k, v) -> extra.merge(k, v / config.accumulation(), Double::sum));
                    }
                }
                double norm = config.optimizer().clipNorm() > 0
                        ? GradientClipping.clip(parameters.values(), config.optimizer().clipNorm(), engineOps)
                        : GradientClipping.globalNorm(parameters.values(), engineOps);
                adam.step();
                tokensTotal += tokens;
                tokensSinceLog += tokens;
                if (step % config.logEvery() == 0) {
                    long now = System.nanoTime();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("loss", loss);
                    m.put("lr", lr);
                    m.put("grad_norm", norm);
                    m.put("epoch", plan.epochs());
                    m.putAll(extra);
                    m.put("tokens_per_s", tokensSinceLog / Math.max(1e-9, (now - lastLog) / 1e9));
                    metrics.log(step, "train", m);
                    tokensSinceLog = 0;
                    lastLog = now;
                    bar.setExtra("loss %.3f".formatted(loss));
                }
                if (step % config.evalEvery() == 0 || step == config.steps()) {
                    lastEval = objective.evaluate(manager);
                    metrics.log(step, "eval", lastEval);
                }
                if (step % config.checkpointEvery() == 0 || step == config.steps()) {
                    saveCheckpoint(run, step, parameters, adam, plan);
                }
                bar.step();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double tokensPerSecond = tokensTotal / Math.max(1e-9, seconds);
        if (end == config.steps()) {
            objective.export(run.root().resolve(MODEL_DIR), run.root().resolve(TOKENIZER_DIR));
            writeSummary(run, objective, lastEval, tokensPerSecond, end - start, seconds, tokenizerName);
            RunReport.write(run);
        }
        return new Result(out, end, lastEval, tokensPerSecond);
    }

    private void saveCheckpoint(RunDirectory run, long step, Map<String, NDArray> parameters, Adam adam, BatchPlan plan) {
        try (NDManager tmp = Torch.newManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            parameters.forEach((k, v) -> tensors.put("param." + k, v));
            adam.stateTensors(tmp).forEach((k, v) -> tensors.put("adam." + k, v));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("objective", config.objective());
            meta.put("adam.steps", Long.toString(adam.steps()));
            plan.save(meta);
            new Checkpoint(step, tensors, meta).save(run.checkpointFile(step));
        }
        run.pruneCheckpoints(config.keepCheckpoints());
    }

    private static void restore(Checkpoint c, Map<String, NDArray> parameters, Adam adam, BatchPlan plan) {
        c.restoreParameters("param", parameters, "model");
        String steps = c.metadata().get("adam.steps");
        if (steps == null) {
            throw new IllegalArgumentException("checkpoint lacks the optimiser's step count (adam.steps)");
        }
        adam.restore(c.group("adam"), Long.parseLong(steps));
        plan.restore(c);
    }

    private void writeSummary(RunDirectory run, LmObjective objective, Map<String, Double> lastEval, double tokensPerSecond,
                              long updates, double seconds, String tokenizerName) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("objective", config.objective());
        s.put("seed", config.seed());
        s.put("steps", config.steps());
        s.put("init", config.fromCheckpoint() ? config.init() : "scratch");
        s.put("tokenizer", tokenizerName);
        s.put("final_evaluation", lastEval);
        s.putAll(objective.summary());
        s.put("tokens_per_second", tokensPerSecond);
        s.put("seconds", seconds);
        s.put("updates_this_session", updates);
        s.put("model_dir", run.root().resolve(MODEL_DIR).toString());
        s.put("intra_op_threads", Torch.intraOpThreads());
        s.put("device", config.device());
        s.put("runtime", Map.of("java", Runtime.version().toString(), "djl", ai.djl.engine.Engine.getDjlVersion(),
                "engine", "PyTorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion()));
        run.writeSummary(s);
    }
}
