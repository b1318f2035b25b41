package dev.fulcrum.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.train.OfflineTrainer;
import dev.fulcrum.control.train.TrainConfig;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.run.MetricsLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Trains one algorithm on one dataset once per seed (0..seeds-1), the way every claim experiment does: the same
 * configuration apart from the seed, one run directory per seed, the final normalised score and the evaluation curve
 * of each run collected.
 */
public final class SeedRuns {
    private SeedRuns() {
    }

    /** What to train: algorithm, environment, dataset file, budget, and extra {@code key=value} training overrides. */
    public record Plan(String algo, String env, Path dataset, int seeds, long steps, int evalEvery, int evalEpisodes,
                List<String> overrides) {
    }

    /** Final normalised score per seed, and every evaluation's normalised score by step (one entry per seed). */
    public record Result(double[] finalScores, TreeMap<Long, List<Double>> evalCurve) {
    }

    /** Runs the plan; run directories are {@code runsDir/<algo>-seed<k>}. */
    public static Result train(Plan p, Path runsDir, boolean progress) {
        double[] scores = new double[p.seeds()];
        TreeMap<Long, List<Double>> curve = new TreeMap<>();
        for (int seed = 0; seed < p.seeds(); seed++) {
            List<String> o = new ArrayList<>(List.of("algo=" + p.algo(), "env=" + p.env(), "dataset=" + p.dataset(),
                    "seed=" + seed, "steps=" + p.steps(), "evalEvery=" + p.evalEvery(), "evalEpisodes=" + p.evalEpisodes(),
                    "checkpointEvery=" + p.steps(), "logEvery=" + Math.max(1, p.evalEvery() / 5)));
            o.addAll(p.overrides());
            TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null, o);
            Path runDir = runsDir.resolve(p.algo() + "-seed" + seed);
            OfflineTrainer.Result r = new OfflineTrainer(cfg, runDir).progressBar(progress).fit();
            scores[seed] = r.finalEvaluation().meanScore();
            for (JsonNode row : MetricsLog.read(runDir.resolve("metrics.jsonl"))) {
                if (row.path("phase").asText().equals("eval")) {
                    curve.computeIfAbsent(row.path("step").asLong(), k -> new ArrayList<>())
                            .add(row.path("normalised_score").asDouble());
                }
            }
            System.out.printf(Locale.ROOT, "%s seed %d: normalised score %.1f%n", p.algo(), seed, scores[seed]);
        }
        return new Result(scores, curve);
    }
}
