package dev.fulcrum.lm.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.GradientClipping;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.report.RunReport;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.FitOptions;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.Progress;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.Completion;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.GenerationConfig;
import dev.fulcrum.lm.model.Generator;
import dev.fulcrum.lm.model.SequenceScorer;
import dev.fulcrum.lm.model.TokenLogProbs;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.SftObjective;
import dev.fulcrum.lm.train.SolveRateEvaluation;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PPO-max (Zheng et al. 2023, "Secrets of RLHF in Large Language Models Part I: PPO") on a decoder language model, every
 * trick a switch of {@link PpoSettings}. One step:
 * <ol>
 *   <li><b>rollout</b>: {@code rolloutBatch} prompts of the pool, one sampled response each (batched, KV cache);</li>
 *   <li><b>rewards</b>: the reward model's score of {@code <bos> prompt response <eos>}, or the oracle's gold reward;
 *       optionally normalised by running moments and clipped ({@link RunningMoments}); token rewards with the KL penalty
 *       to the SFT reference ({@link PpoLosses#shapedRewards});</li>
 *   <li><b>advantages</b>: GAE over the critic's values ({@link Advantages#gae}); the critic is a reward-model-shaped
 *       network (a decoder trunk and a linear head) read at every response position;</li>
 *   <li><b>updates</b>: {@code epochs} passes of minibatches: the clipped surrogate ({@link PpoLosses#clippedSurrogate})
 *       on optionally whitened advantages, plus {@code ptxCoef} times the SFT loss (PPO-ptx), and the (optionally clipped)
 *       value loss, each network with its own Adam and optional global-norm clipping.</li>
 * </ol>
 * The first {@code criticPretrainSteps} steps train only the critic on the frozen SFT policy's rollouts.
 *
 * <p>Monitoring, one {@code train} record per step (with {@code stage} {@code critic-pretrain} or {@code ppo}):
 * {@code reward_raw}, {@code reward_normalised}, {@code gold_reward} (the oracle's, whatever trains), {@code kl} (mean
 * over responses of {@code sum_t log pi/pi_ref}), {@code perplexity} of the sampled responses under the policy,
 * {@code response_length}, {@code entropy}, {@code policy_clip_fraction}, {@code value_clip_fraction}, losses, gradient
 * norms and {@code samples_per_s} of generation; {@code collapse} is 1 when {@link CollapseMonitor} sees the
 * collapse pattern (also printed as a warning). {@code eval} records: greedy solve rates ({@link SolveRateEvaluation}).
 *
 * <p>The run directory is every run's: {@code config.json}, {@code metrics.jsonl}, {@code summary.json},
 * {@code checkpoints/} (policy and critic weights, both Adam states, the RNG streams, reward statistics and the
 * collapse window, so {@code resume} continues exactly), {@code report.md}, and the trained policy as a Hugging Face
 * directory {@code model/}.
 */
public final class PpoMax extends FitOptions<PpoMax> {
    /** Metrics that measure the machine rather than the run. */
    public static final Set<String> TIMING_METRICS = Set.of("samples_per_s", "generated_tokens_per_s", "generation_seconds", "step_seconds");
    private static final String COLLAPSE_KEY = "ppo.collapse.window";

    public record Result(Path runDir, long stepsDone, Map<String, Double> finalEvaluation, double samplesPerSecond,
                         int collapseWarnings) {
    }

    private final PpoRunConfig config;
    private final PpoSettings ppo;
    private final Path out;
    private PrintStream console = System.out;
    private List<Problem> customPool;
    private Path klReference;

    public PpoMax(PpoRunConfig config, Path out) {
        this.config = config;
        this.ppo = config.ppo();
        this.out = out;
    }

    /**
     * Rollout prompts from these problems (their oracles give the gold reward) instead of the {@code families} of the
     * configuration: for library use with tasks outside the suite.
     */
    public PpoMax promptPool(List<Problem> pool) {
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("the prompt pool is empty");
        }
        this.customPool = List.copyOf(pool);
        return this;
    }

    /**
     * Anchor the KL penalty to this model (a finished run or model directory) instead of {@code init}: for a policy that
     * continues an earlier RL stage but stays anchored to the SFT model, as PIT's second curriculum stage does.
     */
    public PpoMax klReference(Path runOrModel) {
        this.klReference = ModelDirectories.resolve(runOrModel);
        return this;
    }

    /** Where collapse warnings are printed (default standard output). */
    public PpoMax console(PrintStream stream) {
        this.console = stream;
        return this;
    }

    /** The networks and data of a run. */
    private record Setup(DecoderLm policy, DecoderLm reference, RewardModel critic, RewardModel scorer, SftObjective ptx,
                         Tokenizer tokenizer, List<Problem> pool, SolveRateEvaluation.Problems evalProblems) {
    }

    /** One rollout batch, host side; per-token arrays are {@code [B][counts[i]]}. */
    private record Rollouts(List<int[]> prompts, List<int[]> responses, int[] counts, double[][] logProbs, double[][] values,
                            double[][] advantages, double[][] returns, Map<String, Double> metrics) {
    }

    public Result fit() {
        if (config.init().isBlank()) {
            throw new IllegalArgumentException("no policy to start from: pass --init SFT_RUN (a finished 'lm sft' run or model directory)");
        }
        Path initDir = ModelDirectories.resolve(Path.of(config.init()));
        Path rmDir = config.rewardModel().isBlank() ? null : ModelDirectories.resolve(Path.of(config.rewardModel()));
        if (ppo.reward().equals("model") && rmDir == null) {
            throw new IllegalArgumentException("ppo.reward=model needs a reward model: pass --reward-model RM_RUN (or --oracle)");
        }
        if (ppo.criticFromRewardModel() && rmDir == null) {
            throw new IllegalArgumentException("ppo.criticFromRewardModel initialises the critic from a reward model: pass "
                    + "--reward-model RM_RUN or --set ppo.criticFromRewardModel=false");
        }
        if (ppo.ptxCoef() > 0 && config.ptxData().isBlank()) {
            throw new IllegalArgumentException("ppo.ptxCoef > 0 needs SFT data for the pre-training term: --set ptxData=FILE.jsonl");
        }
        RunDirectory resumed = resume ? RunDirectory.open(out) : null;
        Tokenizer tokenizer = TokenizerFiles.ofModel(initDir);
        try (NDManager manager = Torch.newManager()) {
            Rng master = new Rng(config.seed());
            Setup setup = setup(manager, initDir, rmDir, tokenizer, master);
            RunDirectory run = resume ? resumed : RunDirectory.create(out);
            if (!resume) {
                run.writeConfig(config);
                TokenizerFiles.write(tokenizer, "auto", initDir.toString(), run.root().resolve(LmTrainer.TOKENIZER_DIR));
            }
            return train(run, setup, manager, master);
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    private Setup setup(NDManager manager, Path initDir, Path rmDir, Tokenizer tokenizer, Rng master) {
        DecoderLm policy = HfCheckpoint.load(initDir, manager, DataType.FLOAT32);
        DecoderLm reference = HfCheckpoint.load(klReference != null ? klReference : initDir, manager, DataType.FLOAT32);
        if (reference.config().vocabSize() != policy.config().vocabSize()) {
            throw new IllegalArgumentException(klReference + ": the KL reference's vocabulary (" + reference.config().vocabSize()
                    + ") differs from the policy's (" + policy.config().vocabSize() + ")");
        }
        reference.parameters().values().forEach(p -> p.setRequiresGradient(false));
        if (tokenizer.special().eos() < 0) {
            throw new IllegalArgumentException(initDir + ": the tokenizer has no end-of-sequence token; rollouts need one to stop");
        }
        RewardModel critic = ppo.criticFromRewardModel() ? RewardModel.load(rmDir, manager, DataType.FLOAT32).lastTokenPart()
                : RewardModel.withNewHead(manager, HfCheckpoint.load(initDir, manager, DataType.FLOAT32), master.split("critic-head"));
        if (critic.config().vocabSize() != policy.config().vocabSize()) {
            throw new IllegalArgumentException(rmDir + ": the reward model's vocabulary (" + critic.config().vocabSize()
                    + ") differs from the policy's (" + policy.config().vocabSize() + "): they need the same tokenizer");
        }
        RewardModel scorer = null;
        if (ppo.reward().equals("model")) {
            scorer = RewardModel.load(rmDir, manager, DataType.FLOAT32);
            scorer.parameters().values().forEach(p -> p.setRequiresGradient(false));
        }
        List<Problem> pool = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        if (customPool != null) {
            pool.addAll(customPool);
        } else {
            for (TaskFamily f : TaskSuite.select(config.families())) {
                pool.addAll(TaskSuite.problems(f, config.problemSeed(), config.problemsPerFamily()));
                names.add(f.name());
            }
        }
        Set<String> poolPrompts = new HashSet<>();
        pool.forEach(p -> poolPrompts.add(p.prompt()));
        SftObjective ptx = ppo.ptxCoef() > 0 ? new SftObjective(policy, tokenizer, SftJsonl.read(Path.of(config.ptxData())),
                config.ptxData(), config.eval()) : null;
        return new Setup(policy, reference, critic, scorer, ptx, tokenizer, pool,
                SolveRateEvaluation.problems(config.eval(), names, poolPrompts));
    }

    private Result train(RunDirectory run, Setup s, NDManager manager, Rng master) {
        Map<String, NDArray> policyParams = s.policy().parameters();
        Map<String, NDArray> criticParams = s.critic().parameters();
        Adam policyAdam = new Adam(manager, policyParams, ppo.policyLearningRate());
        Adam criticAdam = new Adam(manager, criticParams, ppo.criticLearningRate());
        Rng prompts = master.split("prompts"), sampling = master.split("sampling"), minibatches = master.split("minibatches"),
                ptxBatches = master.split("ptx");
        RunningMoments moments = new RunningMoments();
        CollapseMonitor collapse = new CollapseMonitor(ppo.collapseWindow(), 0.1, 0.05);
        int collapseWarnings = 0;
        long start = 0;
        MetricsLog metrics;
        if (resume && run.latestCheckpoint().isPresent()) {
            try (NDManager loading = manager.newSubManager()) {
                Checkpoint c = Checkpoint.load(run.latestCheckpoint().get(), loading);
                c.restoreParameters("policy", policyParams, "policy");
                c.restoreParameters("critic", criticParams, "critic");
                policyAdam.restore(c.group("adam.policy"), Long.parseLong(c.metadata().get("adam.policy.steps")));
                criticAdam.restore(c.group("adam.critic"), Long.parseLong(c.metadata().get("adam.critic.steps")));
                c.restoreRng("prompts", prompts);
                c.restoreRng("sampling", sampling);
                c.restoreRng("minibatches", minibatches);
                c.restoreRng("ptx", ptxBatches);
                moments.restore(c.metadata(), "ppo.reward");
                collapse.restore(c.metadata(), COLLAPSE_KEY);
                collapseWarnings = Integer.parseInt(c.metadata().getOrDefault("ppo.collapse.warnings", "0"));
                start = c.step();
            }
            metrics = MetricsLog.openForResume(run.metricsFile(), start);
        } else {
            metrics = MetricsLog.create(run.metricsFile());
        }
        long total = config.totalSteps();
        if (start == total) {
            metrics.close();
            return new Result(out, start, null, 0, collapseWarnings);
        }
        long end = Math.min(total, stopAfter);
        Map<String, Double> lastEval = null;
        double samples = 0, generationSeconds = 0;
        long t0 = System.nanoTime();
        try (metrics; Progress bar = Progress.start("ppo", total, start, progress)) {
            for (long step = start + 1; step <= end; step++) {
                long stepStart = System.nanoTime();
                boolean pretrain = step <= ppo.criticPretrainSteps();
                Rollouts r = rollout(s, manager, prompts, sampling, moments);
                samples += r.prompts().size();
                generationSeconds += r.metrics().get("generation_seconds");
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("stage", pretrain ? "critic-pretrain" : "ppo");
                m.putAll(r.metrics());
                m.putAll(update(s, manager, r, policyAdam, criticAdam, minibatches, ptxBatches, pretrain));
                if (!pretrain) {
                    boolean collapsed = collapse.observe(r.metrics().get("response_length"), r.metrics().get("perplexity"),
                            r.metrics().get("reward_raw"));
                    m.put("collapse", collapsed ? 1.0 : 0.0);
                    if (collapsed) {
                        collapseWarnings++;
                        console.printf("warning: step %d: possible pattern collapse: over the last %d updates responses grew longer, "
                                + "their perplexity fell and the reward rose (length %.1f, perplexity %.3f, reward %.3f)%n", step,
                                ppo.collapseWindow(), r.metrics().get("response_length"), r.metrics().get("perplexity"),
                                r.metrics().get("reward_raw"));
                    }
                }
                m.put("step_seconds", (System.nanoTime() - stepStart) / 1e9);
                metrics.log(step, "train", m);
                bar.setExtra("reward %.3f".formatted(r.metrics().get("reward_raw")));
                long ppoStep = step - ppo.criticPretrainSteps();
                if (!pretrain && (ppoStep % config.evalEvery() == 0 || step == total)) {
                    lastEval = evaluate(s, manager);
                    metrics.log(step, "eval", lastEval);
                }
                if (step % config.checkpointEvery() == 0 || step == total) {
                    saveCheckpoint(run, step, policyParams, criticParams, policyAdam, criticAdam, prompts, sampling, minibatches,
                            ptxBatches, moments, collapse, collapseWarnings);
                }
                bar.step();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double samplesPerSecond = samples / Math.max(1e-9, generationSeconds);
        if (end == total) {
            HfCheckpoint.save(s.policy(), run.root().resolve(LmTrainer.MODEL_DIR), run.root().resolve(LmTrainer.TOKENIZER_DIR));
            writeSummary(run, s, lastEval, samplesPerSecond, seconds, end - start, collapseWarnings);
            RunReport.write(run);
        }
        return new Result(out, end, lastEval, samplesPerSecond, collapseWarnings);
    }

    /** Generates, scores and shapes one rollout batch; every number it needs later is copied to the host. */
    private Rollouts rollout(Setup s, NDManager manager, Rng promptRng, Rng sampling, RunningMoments moments) {
        int n = ppo.rolloutBatch();
        List<Problem> problems = new ArrayList<>(n);
        List<int[]> promptIds = new ArrayList<>(n);
        ResponseGenerator shape = new ResponseGenerator(s.policy(), s.tokenizer());
        for (int i = 0; i < n; i++) {
            Problem p = s.pool().get(promptRng.nextInt(s.pool().size()));
            problems.add(p);
            promptIds.add(shape.promptIds(p.prompt()));
        }
        int eos = s.tokenizer().special().eos();
        GenerationConfig cfg = GenerationConfig.sampling(ppo.maxNewTokens(), ppo.temperature(), 0, 1.0, eos);
        long g0 = System.nanoTime();
        List<Completion> completions = new Generator(s.policy()).generate(manager, promptIds, cfg, sampling);
        double generationSeconds = (System.nanoTime() - g0) / 1e9;
        List<int[]> responses = new ArrayList<>(n);
        int[] counts = new int[n];
        double[] gold = new double[n];
        List<int[]> rmSequences = new ArrayList<>(n);
        int[] rmStarts = new int[n];
        long generatedTokens = 0;
        for (int i = 0; i < n; i++) {
            Completion c = completions.get(i);
            int[] tokens = c.tokens();
            responses.add(tokens);
            counts[i] = tokens.length;
            generatedTokens += tokens.length;
            int[] body = c.stopped() ? Arrays.copyOf(tokens, tokens.length - 1) : tokens;
            gold[i] = problems.get(i).score(s.tokenizer().decode(body));
            int[] seq = Arrays.copyOf(promptIds.get(i), promptIds.get(i).length + body.length + 1);
            System.arraycopy(body, 0, seq, promptIds.get(i).length, body.length);
            seq[seq.length - 1] = eos;
            rmStarts[i] = promptIds.get(i).length;
            rmSequences.add(seq);
        }
        double[] raw = s.scorer() == null ? gold.clone() : s.scorer().score(manager, rmSequences, rmStarts, ppo.minibatch());
        double[] scores = raw;
        if (ppo.rewardNormalisation()) {
            moments.update(raw);
            scores = moments.normalise(raw, ppo.rewardClip());
        }
        double[][] logProbs = new double[n][], refLogProbs = new double[n][], values = new double[n][], entropy = new double[n][];
        for (int from = 0; from < n; from += ppo.minibatch()) {
            int to = Math.min(n, from + ppo.minibatch());
            List<int[]> p = promptIds.subList(from, to), c = responses.subList(from, to);
            try (NDScope ignored = new NDScope()) {
                SequenceScorer.CompletionStates policyStates = SequenceScorer.states(s.policy(), manager, p, c);
                NDArray logits = s.policy().head(policyStates.hidden());
                copyRows(TokenLogProbs.of(logits, policyStates.targets()), logProbs, counts, from);
                copyRows(PpoLosses.entropy(logits), entropy, counts, from);
                copyRows(SequenceScorer.score(s.reference(), manager, p, c).tokenLogProbs(), refLogProbs, counts, from);
                copyRows(values(s.critic(), manager, p, c), values, counts, from);
            }
        }
        double[][] rewards;
        try (NDScope ignored = new NDScope()) {
            int width = Arrays.stream(counts).max().orElseThrow();
            NDArray lastMask = padded(manager, lastOnes(counts), counts, width);
            rewards = toRows(PpoLosses.shapedRewards(padded(manager, logProbs, counts, width), padded(manager, refLogProbs, counts, width),
                    mask(manager, counts, width), lastMask, manager.create(scores).toType(DataType.FLOAT32, false),
                    ppo.klPenalty() ? ppo.klCoef() : 0), counts);
        }
        Advantages.Estimate estimate = Advantages.gae(rewards, values, counts, ppo.gamma(), ppo.lambda());

        Map<String, Double> m = new LinkedHashMap<>();
        double klSum = 0, logProbSum = 0, entropySum = 0, solved = 0;
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < counts[i]; t++) {
                klSum += logProbs[i][t] - refLogProbs[i][t];
                logProbSum += logProbs[i][t];
                entropySum += entropy[i][t];
            }
            solved += gold[i] >= 1 - 1e-9 ? 1 : 0;
        }
        m.put("reward_raw", mean(raw));
        m.put("reward_raw_std", std(raw));
        m.put("reward_normalised", mean(scores));
        m.put("gold_reward", mean(gold));
        m.put("solved_fraction", solved / n);
        m.put("kl", klSum / n);
        m.put("perplexity", Math.exp(-logProbSum / generatedTokens));
        m.put("entropy", entropySum / generatedTokens);
        m.put("response_length", (double) generatedTokens / n);
        m.put("stopped_fraction", completions.stream().filter(Completion::stopped).count() / (double) n);
        m.put("samples_per_s", n / Math.max(1e-9, generationSeconds));
        m.put("generated_tokens_per_s", generatedTokens / Math.max(1e-9, generationSeconds));
        m.put("generation_seconds", generationSeconds);
        return new Rollouts(promptIds, responses, counts, logProbs, values, estimate.advantages(), estimate.returns(), m);
    }

    /** Critic values {@code [N, L]} at every response position: the reward model's head on each state. */
    static NDArray values(RewardModel critic, NDManager manager, List<int[]> prompts, List<int[]> responses) {
        SequenceScorer.CompletionStates states = SequenceScorer.states(critic.trunk(), manager, prompts, responses);
        NDArray head = critic.parameters().get(RewardModel.HEAD);
        return states.hidden().matMul(head.transpose()).squeeze(-1).mul(states.mask());
    }

    /** The minibatch updates of one rollout batch; returns their mean losses and diagnostics. */
    private Map<String, Double> update(Setup s, NDManager manager, Rollouts r, Adam policyAdam, Adam criticAdam, Rng minibatches,
                                       Rng ptxBatches, boolean criticOnly) {
        int n = r.prompts().size();
        double policyLoss = 0, valueLoss = 0, ptxLoss = 0, policyClip = 0, valueClip = 0, policyNorm = 0, criticNorm = 0,
                approxKl = 0;
        int updates = 0;
        for (int epoch = 0; epoch < ppo.epochs(); epoch++) {
            int[] order = minibatches.permutation(n);
            for (int from = 0; from < n; from += ppo.minibatch()) {
                int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + ppo.minibatch()));
                List<int[]> p = new ArrayList<>(), c = new ArrayList<>();
                int[] counts = new int[rows.length];
                double[][] oldLogProbs = new double[rows.length][], advantages = new double[rows.length][],
                        oldValues = new double[rows.length][], returns = new double[rows.length][];
                for (int k = 0; k < rows.length; k++) {
                    int i = rows[k];
                    p.add(r.prompts().get(i));
                    c.add(r.responses().get(i));
                    counts[k] = r.counts()[i];
                    oldLogProbs[k] = r.logProbs()[i];
                    advantages[k] = r.advantages()[i];
                    oldValues[k] = r.values()[i];
                    returns[k] = r.returns()[i];
                }
                if (ppo.advantageWhitening() && Arrays.stream(counts).sum() >= 2) {
                    advantages = Advantages.whiten(advantages, counts);
                }
                int width = Arrays.stream(counts).max().orElseThrow();
                if (!criticOnly) {
                    policyAdam.zeroGradients();
                    try (NDScope ignored = new NDScope(); Torch.Tape tape = new Torch.Tape()) {
                        SequenceScorer.CompletionStates states = SequenceScorer.states(s.policy(), manager, p, c);
                        NDArray logProbs = TokenLogProbs.of(s.policy().head(states.hidden()), states.targets()).mul(states.mask());
                        NDArray old = padded(manager, oldLogProbs, counts, width);
                        NDArray loss = PpoLosses.clippedSurrogate(logProbs, old, padded(manager, advantages, counts, width),
                                states.mask(), ppo.clipRange());
                        policyLoss += Torch.scalar(loss);
                        if (s.ptx() != null) {
                            int[] batch = ptxBatches.indices(ppo.ptxBatch(), s.ptx().exampleLengths().length);
                            NDArray nll = s.ptx().loss(manager, batch).loss();
                            ptxLoss += Torch.scalar(nll);
                            loss = loss.add(nll.mul(Scalars.of(nll, ppo.ptxCoef())));
                        }
                        tape.backward(loss);
                        policyClip += PpoLosses.policyClipFraction(logProbs, old, states.mask(), ppo.clipRange());
                        approxKl += Torch.scalar(PpoLosses.maskedMean(old.sub(logProbs), states.mask()));
                    }
                    policyNorm += ppo.gradClipping() ? GradientClipping.clip(s.policy().parameters().values(), ppo.maxGradNorm())
                            : GradientClipping.globalNorm(s.policy().parameters().values());
                    policyAdam.step();
                }
                criticAdam.zeroGradients();
                try (NDScope ignored = new NDScope(); Torch.Tape tape = new Torch.Tape()) {
                    NDArray mask = mask(manager, counts, width);
                    NDArray v = values(s.critic(), manager, p, c);
                    NDArray old = padded(manager, oldValues, counts, width);
                    NDArray loss = PpoLosses.valueLoss(v, old, padded(manager, returns, counts, width), mask, ppo.valueClipping(),
                            ppo.valueClipRange());
                    tape.backward(loss);
                    valueLoss += Torch.scalar(loss);
                    valueClip += PpoLosses.valueClipFraction(v, old, mask, ppo.valueClipRange());
                }
                criticNorm += ppo.gradClipping() ? GradientClipping.clip(s.critic().parameters().values(), ppo.maxGradNorm())
                        : GradientClipping.globalNorm(s.critic().parameters().values());
                criticAdam.step();
                updates++;
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        if (!criticOnly) {
            m.put("policy_loss", policyLoss / updates);
            m.put("policy_clip_fraction", policyClip / updates);
            m.put("approx_kl_update", approxKl / updates);
            m.put("policy_grad_norm", policyNorm / updates);
            if (s.ptx() != null) {
                m.put("ptx_loss", ptxLoss / updates);
            }
        }
        m.put("value_loss", valueLoss / updates);
        m.put("value_clip_fraction", valueClip / updates);
        m.put("critic_grad_norm", criticNorm / updates);
        return m;
    }

    private Map<String, Double> evaluate(Setup s, NDManager manager) {
        if (s.evalProblems().problems().isEmpty()) {
            return Map.of();
        }
        return SolveRateEvaluation.evaluate(new ResponseGenerator(s.policy(), s.tokenizer()), manager, s.evalProblems(),
                config.eval(), 0).metrics();
    }

    private static void copyRows(NDArray tokens, double[][] into, int[] counts, int from) {
        int width = Math.toIntExact(tokens.getShape().get(1));
        double[] flat = tokens.toType(DataType.FLOAT64, false).toDoubleArray();
        for (int k = 0; k * width < flat.length; k++) {
            into[from + k] = Arrays.copyOfRange(flat, k * width, k * width + counts[from + k]);
        }
    }

    private static double[][] toRows(NDArray tokens, int[] counts) {
        double[][] out = new double[counts.length][];
        copyRows(tokens, out, counts, 0);
        return out;
    }

    private static double[][] lastOnes(int[] counts) {
        double[][] out = new double[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            out[i] = new double[counts[i]];
            out[i][counts[i] - 1] = 1;
        }
        return out;
    }

    /** Rows of different lengths as one float32 tensor {@code [N, width]}, zero-padded. */
    static NDArray padded(NDManager manager, double[][] rows, int[] counts, int width) {
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            for (int t = 0; t < counts[i]; t++) {
                flat[i * width + t] = (float) rows[i][t];
            }
        }
        return manager.create(flat, new Shape(rows.length, width));
    }

    static NDArray mask(NDManager manager, int[] counts, int width) {
        float[] flat = new float[counts.length * width];
        for (int i = 0; i < counts.length; i++) {
            Arrays.fill(flat, i * width, i * width + counts[i], 1f);
        }
        return manager.create(flat, new Shape(counts.length, width));
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    private static double std(double[] x) {
        double m = mean(x);
        return Math.sqrt(Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / x.length);
    }

    private void saveCheckpoint(RunDirectory run, long step, Map<String, NDArray> policyParams, Map<String, NDArray> criticParams,
                                Adam policyAdam, Adam criticAdam, Rng prompts, Rng sampling, Rng minibatches, Rng ptx,
                                RunningMoments moments, CollapseMonitor collapse, int collapseWarnings) {
        try (NDManager tmp = Torch.newManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            policyParams.forEach((k, v) -> tensors.put("policy." + k, v));
            criticParams.forEach((k, v) -> tensors.put("critic." + k, v));
            policyAdam.stateTensors(tmp).forEach((k, v) -> tensors.put("adam.policy." + k, v));
            criticAdam.stateTensors(tmp).forEach((k, v) -> tensors.put("adam.critic." + k, v));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("adam.policy.steps", Long.toString(policyAdam.steps()));
            meta.put("adam.critic.steps", Long.toString(criticAdam.steps()));
            Checkpoint.putRng(meta, "prompts", prompts);
            Checkpoint.putRng(meta, "sampling", sampling);
            Checkpoint.putRng(meta, "minibatches", minibatches);
            Checkpoint.putRng(meta, "ptx", ptx);
            moments.save(meta, "ppo.reward");
            collapse.save(meta, COLLAPSE_KEY);
            meta.put("ppo.collapse.warnings", Integer.toString(collapseWarnings));
            new Checkpoint(step, tensors, meta).save(run.checkpointFile(step));
        }
        run.pruneCheckpoints(config.keepCheckpoints());
    }

    private void writeSummary(RunDirectory run, Setup s, Map<String, Double> lastEval, double samplesPerSecond, double seconds,
                              long steps, int collapseWarnings) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("algorithm", "ppo-max");
        summary.put("seed", config.seed());
        summary.put("init", config.init());
        summary.put("reward", ppo.reward());
        summary.put("reward_model", config.rewardModel());
        if (klReference != null) {
            summary.put("kl_reference", klReference.toString());
        }
        summary.put("critic_pretrain_steps", ppo.criticPretrainSteps());
        summary.put("iterations", config.iterations());
        summary.put("prompt_pool", customPool != null ? Map.of("custom", true, "prompts", s.pool().size())
                : Map.of("families", config.families(), "prompts", s.pool().size(), "seed", config.problemSeed()));
        summary.put("final_evaluation", lastEval);
        summary.put("collapse_warnings", collapseWarnings);
        summary.put("generation_samples_per_second", samplesPerSecond);
        summary.put("seconds", seconds);
        summary.put("steps_this_session", steps);
        summary.put("policy_parameters", s.policy().parameterCount());
        summary.put("critic_parameters", s.critic().parameterCount());
        summary.put("model_dir", run.root().resolve(LmTrainer.MODEL_DIR).toString());
        summary.put("intra_op_threads", Torch.intraOpThreads());
        run.writeSummary(summary);
    }
}
