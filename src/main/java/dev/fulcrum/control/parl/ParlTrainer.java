package dev.fulcrum.control.parl;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.report.RunReport;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.Progress;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs one preference-alignment learner ({@link Aparl}, {@link Pebble}) on one testbed and writes a run directory:
 * {@code config.json}, {@code metrics.jsonl} (per iteration: the learner's metrics and the cumulative oracle queries and
 * environment transitions; per evaluation: the true utility, raw and normalised), {@code summary.json} (including the
 * samples needed to reach the target) and {@code report.md} with curves.
 *
 * <p>Randomness: policy initialisation, rollouts and the oracle's answers come from separate named streams of the run's
 * seed. Evaluation does not consume samples from the budget (it is exact on grids, a fixed-seed Monte Carlo estimate on
 * continuous tasks). Runs are short, so there are no checkpoints.
 */
public final class ParlTrainer {
    private final ParlConfig config;
    private final Path out;
    private boolean progress;

    public ParlTrainer(ParlConfig config, Path out) {
        this.config = config;
        this.out = out;
    }

    public ParlTrainer progressBar(boolean on) {
        this.progress = on;
        return this;
    }

    /**
     * What a run achieved. {@code queriesToTarget} and {@code transitionsToTarget} are the cumulative counts at the first
     * evaluation whose normalised utility reached the target, or -1 when it never did.
     */
    public record Result(Path runDir, double finalUtility, double finalNormalisedUtility, int iterationsToTarget,
                         long queriesToTarget, long transitionsToTarget, long queries, long transitions, double seconds) {
        public boolean reachedTarget() {
            return iterationsToTarget >= 0;
        }
    }

    public Result fit() {
        RunDirectory run = RunDirectory.create(out);
        run.writeConfig(config);
        PreferenceTask task = ParlTasks.make(config);
        PreferenceTask.UtilityScale scale = task.scale();
        Rng root = new Rng(config.seed());
        long started = System.nanoTime();
        try (NDManager manager = Torch.newManager(); MetricsLog log = MetricsLog.create(run.metricsFile());
             Progress bar = Progress.start("parl " + config.method() + " " + config.task(), config.iterations(), 0, progress)) {
            StochasticPolicy policy = task.newPolicy(manager, root.split("policy-init"));
            double[] initial = config.rewardInit().equals("naive") ? task.naiveWeights() : new double[task.featureCount()];
            LinearRewardModel reward = new LinearRewardModel(manager, initial);
            PreferenceOracle oracle = new PreferenceOracle(task::utility, config.oracleTemperature(), root.split("oracle"));
            TrajectorySource.Sampled source = new TrajectorySource.Sampled(task, oracle, root.split("rollouts"));
            Adam optimiser = new Adam(manager, reward.parameters(), config.rewardLearningRate());
            PreferenceLearner learner = learner(config, policy, reward, source, optimiser);

            double utility = task.expectedUtility(policy);
            logEval(log, 0, utility, scale, oracle.queries(), source.environmentSteps());
            int iterationsToTarget = -1;
            long queriesToTarget = -1, transitionsToTarget = -1;
            if (scale.normalise(utility) >= config.target()) {
                iterationsToTarget = 0;
                queriesToTarget = 0;
                transitionsToTarget = 0;
            }
            for (int it = 1; it <= config.iterations() && !(config.stopAtTarget() && iterationsToTarget >= 0); it++) {
                Map<String, Object> m = new LinkedHashMap<>(learner.iterate());
                m.put("oracle_queries", oracle.queries());
                m.put("env_transitions", source.environmentSteps());
                log.log(it, "train", m);
                if (it % config.evalEvery() == 0 || it == config.iterations()) {
                    utility = task.expectedUtility(policy);
                    logEval(log, it, utility, scale, oracle.queries(), source.environmentSteps());
                    if (iterationsToTarget < 0 && scale.normalise(utility) >= config.target()) {
                        iterationsToTarget = it;
                        queriesToTarget = oracle.queries();
                        transitionsToTarget = source.environmentSteps();
                    }
                    bar.setExtra("normalised utility %.2f".formatted(scale.normalise(utility)));
                }
                bar.step();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Result result = new Result(run.root(), utility, scale.normalise(utility), iterationsToTarget, queriesToTarget,
                    transitionsToTarget, oracle.queries(), source.environmentSteps(), seconds);
            run.writeSummary(summary(task, scale, reward, result));
            RunReport.write(run);
            return result;
        }
    }

    static PreferenceLearner learner(ParlConfig c, StochasticPolicy policy, LinearRewardModel reward, TrajectorySource source,
                                     Adam optimiser) {
        return switch (c.method()) {
            case "aparl", "aparl-no-correction" -> new Aparl(policy, reward, source, new Aparl.Settings(c.innerSteps(),
                    c.rolloutsPerStep(), c.policyStepSize(), c.entropy(), c.pairsPerIteration(), c.method().equals("aparl"),
                    c.curvature()),
                    optimiser);
            case "pebble" -> new Pebble(policy, reward, source, new Pebble.Settings(c.innerSteps(), c.rolloutsPerStep(),
                    c.policyStepSize(), c.entropy(), c.pairsPerIteration(), c.rewardSteps()), optimiser);
            default -> throw new IllegalArgumentException("unknown method " + c.method());
        };
    }

    private static void logEval(MetricsLog log, long step, double utility, PreferenceTask.UtilityScale scale, long queries,
                                long transitions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("true_utility", utility);
        m.put("normalised_utility", scale.normalise(utility));
        m.put("oracle_queries", queries);
        m.put("env_transitions", transitions);
        log.log(step, "eval", m);
    }

    private Map<String, Object> summary(PreferenceTask task, PreferenceTask.UtilityScale scale, LinearRewardModel reward,
                                        Result r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("task", task.id());
        s.put("method", config.method());
        s.put("seed", config.seed());
        s.put("iterations", config.iterations());
        s.put("final_true_utility", r.finalUtility());
        s.put("final_normalised_utility", r.finalNormalisedUtility());
        s.put("target", config.target());
        s.put("reached_target", r.reachedTarget());
        s.put("iterations_to_target", r.iterationsToTarget());
        s.put("oracle_queries_to_target", r.queriesToTarget());
        s.put("env_transitions_to_target", r.transitionsToTarget());
        s.put("oracle_queries", r.queries());
        s.put("env_transitions", r.transitions());
        s.put("seconds", r.seconds());
        s.put("utility_random", scale.random());
        s.put("utility_optimal", scale.optimal());
        s.put("utility_reference", scale.how());
        s.put("reward_weights", reward.weights());
        s.put("reward_features", task.featureNames());
        return s;
    }
}
