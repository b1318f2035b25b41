package dev.fulcrum.control.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.algo.OnlineAlgorithm;
import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.data.ReplayBuffer;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.control.policy.UniformRandomPolicy;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.core.stats.Stats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Dataset tiers in D4RL's manner, made by training SAC online on the environment:
 * <ul>
 *   <li>{@code ENV-random}: the uniform-random policy;</li>
 *   <li>{@code ENV-expert}: SAC's final policy;</li>
 *   <li>{@code ENV-medium}: SAC's policy at the <b>first evaluation whose normalised score is a third of the way from a
 *       baseline to the final evaluation's</b> ({@code score >= b + (expert - b) / 3}); the baseline {@code b} is the better
 *       of the random policy (0) and SAC's first evaluation (its untrained policy: on tasks with a control cost, such as
 *       halfcheetah, acting with tanh(mu) ~ 0 already scores far above uniform-random actions, and measured from the
 *       random level a weak expert's "third" would be reached by the untrained policy); if SAC did not improve on the
 *       baseline no evaluation qualifies, the final policy serves as medium too and {@code tiers.json} says so;</li>
 *   <li>{@code ENV-medium-replay}: SAC's replay buffer up to that evaluation's step (every transition SAC experienced on
 *       the way to the medium policy, its random warm-up included);</li>
 *   <li>{@code ENV-medium-expert}: medium followed by expert.</li>
 * </ul>
 * Medium and expert transitions are collected with the policy's stochastic actions (its exploration distribution), as
 * D4RL collected from its SAC policies. Every file has the D4RL layout and metadata provenance (tier, SAC run, policy
 * step and score, command); {@code tiers.json} summarises returns and normalised scores. The SAC run directory stays in
 * {@code OUT/sac} with the two chosen policies under {@code policies/}.
 */
public final class DatasetTiers {
    public static final String GENERATOR = "fulcrum make-datasets";
    public static final String MEDIUM_RULE = "medium = SAC's policy at the first evaluation whose normalised score is at "
            + "least a third of the way from the baseline (the better of the random policy, 0, and SAC's first evaluation) to "
            + "the final evaluation's (the expert's)";

    /**
     * @param sac         the SAC run (algo, env, steps, evaluation schedule, seed, network sizes)
     * @param transitions rows of the random, medium and expert datasets
     * @param out         output directory
     * @param command     the command line, recorded as provenance
     */
    public record Settings(OnlineConfig sac, int transitions, Path out, String command) {
        public Settings {
            if (!sac.algo().equals("sac") || sac.hasDataset()) {
                throw new IllegalArgumentException("dataset tiers come from a SAC run from scratch (algo sac, no dataset)");
            }
            if (transitions <= 0) {
                throw new IllegalArgumentException("transitions must be positive, got " + transitions);
            }
        }
    }

    /** One written dataset. */
    public record Tier(String name, Path file, int transitions, int episodes, double returnMean, double normalisedScore) {
    }

    public record Result(List<Tier> tiers, long mediumStep, double mediumEvalScore, long expertStep, double expertEvalScore,
                         boolean sacLearned) {
        public List<Path> files() {
            return tiers.stream().map(Tier::file).toList();
        }

        /** A plain-text table of the tiers. */
        public String table() {
            StringBuilder sb = new StringBuilder("%-30s %12s %9s %12s %10s%n".formatted("tier", "transitions", "episodes",
                    "return", "normalised"));
            for (Tier t : tiers) {
                sb.append("%-30s %12d %9d %12.1f %10.1f%n".formatted(t.file().getFileName(), t.transitions(), t.episodes(),
                        t.returnMean(), t.normalisedScore()));
            }
            sb.append("medium policy: step %d (evaluation score %.1f); expert policy: step %d (evaluation score %.1f)%n"
                    .formatted(mediumStep, mediumEvalScore, expertStep, expertEvalScore));
            if (!sacLearned) {
                sb.append("warning: SAC did not beat the random policy; medium and expert are the same weak policy\n");
            }
            return sb.toString();
        }
    }

    private DatasetTiers() {
    }

    public static Result make(Settings s, boolean progress) {
        OnlineConfig cfg = s.sac();
        Env env = EnvRegistry.make(cfg.env());
        Path runDir = s.out().resolve("sac");
        new OnlineTrainer(cfg, runDir).keepEvaluatedPolicies(true).progressBar(progress).fit();
        RunDirectory run = RunDirectory.open(runDir);

        List<EvalPoint> evaluations = MetricsLog.read(run.metricsFile()).stream()
                .filter(r -> r.path("phase").asText().equals("eval"))
                .map(r -> new EvalPoint(r.path("step").asLong(), r.path("normalised_score").asDouble())).toList();
        EvalPoint expertEval = evaluations.getLast(), mediumEval = medium(evaluations);
        long expertStep = expertEval.step(), mediumStep = mediumEval.step();
        double expertScore = expertEval.score(), mediumScore = mediumEval.score();
        boolean learned = expertScore > 0;

        Map<String, String> common = new LinkedHashMap<>();
        common.put("made_by", GENERATOR); // Collector records itself as the generator of the rows it collects
        common.put("env", cfg.env());
        common.put("command", s.command());
        common.put("sac_run", runDir.toString());
        common.put("sac_steps", Long.toString(cfg.onlineSteps()));
        common.put("medium_rule", MEDIUM_RULE);

        Rng master = new Rng(cfg.seed()).split("dataset-tiers");
        Map<String, OfflineDataset> datasets = new LinkedHashMap<>();
        try (NDManager manager = Torch.newManager()) {
            Policy medium = stochasticPolicy(cfg, env, OnlineTrainer.policyFile(run, mediumStep), manager);
            Policy expert = stochasticPolicy(cfg, env, OnlineTrainer.policyFile(run, expertStep), manager);
            datasets.put("random", Collector.collect(env, new UniformRandomPolicy(env.spec()), s.transitions(),
                    master.split("random"), tierMetadata(common, "random", Map.of())));
            datasets.put("medium", Collector.collect(env, medium, s.transitions(), master.split("medium"),
                    tierMetadata(common, "medium", policyMetadata("medium", mediumStep, mediumScore))));
            Map<String, String> replay = new LinkedHashMap<>(policyMetadata("medium", mediumStep, mediumScore));
            replay.put("generator", GENERATOR);
            replay.put("policy", "SAC's experience, steps 1-" + mediumStep + " (random warm-up, then stochastic actions)");
            datasets.put("medium-replay", replayUpTo(run, env, mediumStep, manager, tierMetadata(common, "medium-replay", replay)));
            datasets.put("medium-expert", null); // filled below, kept in D4RL's order
            datasets.put("expert", Collector.collect(env, expert, s.transitions(), master.split("expert"),
                    tierMetadata(common, "expert", policyMetadata("expert", expertStep, expertScore))));
        }
        Map<String, String> mixed = new LinkedHashMap<>(policyMetadata("medium", mediumStep, mediumScore));
        mixed.putAll(policyMetadata("expert", expertStep, expertScore));
        mixed.put("generator", GENERATOR);
        mixed.put("policy", "SAC steps " + mediumStep + " and " + expertStep + " (stochastic actions)");
        mixed.put("composition", "the medium dataset's rows followed by the expert dataset's");
        datasets.put("medium-expert", concat(datasets.get("medium"), datasets.get("expert"), tierMetadata(common, "medium-expert", mixed)));

        List<Tier> tiers = new ArrayList<>();
        for (Map.Entry<String, OfflineDataset> e : datasets.entrySet()) {
            Path file = s.out().resolve(cfg.env() + "-" + e.getKey() + ".hdf5");
            D4rlHdf5.write(e.getValue(), file);
            double returnMean = Stats.mean(e.getValue().episodeReturns());
            tiers.add(new Tier(e.getKey(), file, e.getValue().size(), e.getValue().episodeCount(), returnMean,
                    env.spec().normalisedScore(returnMean)));
        }
        prunePolicies(run, mediumStep, expertStep);
        Result result = new Result(tiers, mediumStep, mediumScore, expertStep, expertScore, learned);
        writeSummary(s, result);
        return result;
    }

    /** An evaluation of the SAC run: its step and normalised score. */
    record EvalPoint(long step, double score) {
    }

    /**
     * The medium rule: the first evaluation whose score reaches a third of the way from the baseline (the better of the
     * random policy's 0 and the first evaluation's score) to the last (the expert's); the last itself when it does not
     * beat the baseline (SAC did not improve, so "a third of the way" means nothing).
     */
    static EvalPoint medium(List<EvalPoint> evaluations) {
        EvalPoint expert = evaluations.getLast();
        double baseline = Math.max(0, evaluations.getFirst().score());
        if (!(expert.score() > baseline)) {
            return expert;
        }
        double threshold = baseline + (expert.score() - baseline) / 3;
        return evaluations.stream().filter(e -> e.score() >= threshold).findFirst().orElseThrow();
    }

    /** The policy saved at an evaluation, acting stochastically. */
    private static Policy stochasticPolicy(OnlineConfig cfg, Env env, Path file, NDManager manager) {
        Checkpoint c = Checkpoint.load(file, manager);
        OnlineAlgorithm algo = Algorithms.createOnline(cfg, manager, env.spec().observationDim(), env.spec().actionDim(),
                DataType.FLOAT32, new Rng(cfg.seed()));
        algo.loadState(c);
        Preprocessor pre = RunSession.preprocessorOf(c);
        return new ExploringPolicy(algo, pre, manager);
    }

    /** SAC's replay buffer from its first row to {@code step} (online step = row count for a run without a dataset). */
    private static OfflineDataset replayUpTo(RunDirectory run, Env env, long step, NDManager manager, Map<String, String> meta) {
        Path last = run.latestCheckpoint().orElseThrow(() -> new IllegalStateException("SAC run " + run.root()
                + " has no checkpoint"));
        Checkpoint c = Checkpoint.load(last, manager);
        ReplayBuffer buffer = new ReplayBuffer(env.spec().observationDim(), env.spec().actionDim(),
                Integer.parseInt(c.metadata().get("replay.capacity")));
        buffer.restoreState("replay", c);
        if (buffer.oldest() > 0) {
            throw new IllegalArgumentException("SAC's replay buffer dropped its first " + buffer.oldest() + " rows "
                    + "(replayCapacity " + buffer.capacity() + "); medium-replay needs them: leave replayCapacity at 0");
        }
        return buffer.rows(0, step, meta);
    }

    private static Map<String, String> tierMetadata(Map<String, String> common, String tier, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(common);
        m.put("tier", tier);
        m.put("quality", tier);
        m.putAll(extra);
        return m;
    }

    private static Map<String, String> policyMetadata(String role, long step, double score) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(role + "_policy_step", Long.toString(step));
        m.put(role + "_policy_eval_normalised_score", Double.toString(score));
        m.put("policy", "SAC step " + step + " (stochastic actions)");
        return m;
    }

    /** The rows of {@code a} then those of {@code b}. */
    public static OfflineDataset concat(OfflineDataset a, OfflineDataset b, Map<String, String> metadata) {
        return new OfflineDataset(a.observationDim(), a.actionDim(), join(a.observations(), b.observations()),
                join(a.actions(), b.actions()), join(a.rewards(), b.rewards()), join(a.nextObservations(), b.nextObservations()),
                join(a.terminals(), b.terminals()), join(a.timeouts(), b.timeouts()), metadata);
    }

    private static float[] join(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static boolean[] join(boolean[] a, boolean[] b) {
        boolean[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Deletes the policies saved at evaluations other than the chosen two. */
    private static void prunePolicies(RunDirectory run, long mediumStep, long expertStep) {
        Path keepMedium = OnlineTrainer.policyFile(run, mediumStep), keepExpert = OnlineTrainer.policyFile(run, expertStep);
        try (Stream<Path> files = Files.list(keepExpert.getParent())) {
            for (Path p : files.toList()) {
                if (!p.equals(keepMedium) && !p.equals(keepExpert)) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prune " + keepExpert.getParent() + ": " + e.getMessage(), e);
        }
    }

    private static void writeSummary(Settings s, Result r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generator", GENERATOR);
        out.put("env", s.sac().env());
        out.put("command", s.command());
        out.put("sac_run", "sac");
        out.put("sac_steps", s.sac().onlineSteps());
        out.put("medium_rule", MEDIUM_RULE);
        out.put("expert_policy", Map.of("step", r.expertStep(), "eval_normalised_score", r.expertEvalScore()));
        out.put("medium_policy", Map.of("step", r.mediumStep(), "eval_normalised_score", r.mediumEvalScore(),
                "threshold_normalised_score", r.expertEvalScore() / 3));
        out.put("sac_learned", r.sacLearned());
        if (!r.sacLearned()) {
            out.put("warning", "SAC's final evaluation did not beat the random policy; medium is the final policy too");
        }
        List<Map<String, Object>> tiers = new ArrayList<>();
        for (Tier t : r.tiers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tier", t.name());
            m.put("file", t.file().getFileName().toString());
            m.put("transitions", t.transitions());
            m.put("episodes", t.episodes());
            m.put("return_mean", t.returnMean());
            m.put("normalised_score", t.normalisedScore());
            tiers.add(m);
        }
        out.put("tiers", tiers);
        AtomicFiles.writeString(s.out().resolve("tiers.json"), Json.pretty(out) + "\n");
    }
}
