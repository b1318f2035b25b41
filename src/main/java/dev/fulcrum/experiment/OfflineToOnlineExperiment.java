package dev.fulcrum.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.train.OnlineConfig;
import dev.fulcrum.control.train.OnlineTrainer;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.core.stats.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Offline-to-online curves ({@code fulcrum control finetune} over seeds): each algorithm trains offline on a dataset that
 * pre-fills its replay buffer, then keeps training while acting, one gradient step per environment step. The report
 * gives the evaluation score at the end of the offline phase and at the end of the online phase per seed, the change
 * with a 95% interval and Welch's test, and the mean curve over both phases on one step axis.
 *
 * <p>Run directories are {@code work/<algo>-seed<k>}; a run whose {@code summary.json} exists is read, not retrained.
 */
public final class OfflineToOnlineExperiment {

    public record Settings(String env, Path dataset, List<String> algorithms, int seeds, long offlineSteps, long onlineSteps,
                           int evalEvery, int evalEpisodes, List<String> overrides, Path work, Path report, String command) {
        public Settings {
            if (seeds < 2) {
                throw new IllegalArgumentException("--seeds must be at least 2 for confidence intervals, got " + seeds);
            }
            if (!Files.isRegularFile(dataset) && !Files.isDirectory(dataset)) {
                throw new IllegalArgumentException("dataset " + dataset + " not found");
            }
        }
    }

    /** Per algorithm: the score at the end of the offline phase and at the end of the run, one per seed. */
    public record Outcome(Map<String, double[]> offlineEnd, Map<String, double[]> onlineEnd) {
    }

    private OfflineToOnlineExperiment() {
    }

    public static Outcome run(Settings s, boolean progress) {
        Map<String, double[]> offlineEnd = new LinkedHashMap<>(), onlineEnd = new LinkedHashMap<>();
        Map<String, TreeMap<Long, List<Double>>> curves = new LinkedHashMap<>();
        for (String algo : s.algorithms()) {
            double[] off = new double[s.seeds()], on = new double[s.seeds()];
            TreeMap<Long, List<Double>> curve = new TreeMap<>();
            for (int seed = 0; seed < s.seeds(); seed++) {
                Path runDir = s.work().resolve(algo + "-seed" + seed);
                List<String> o = new ArrayList<>(List.of("algo=" + algo, "env=" + s.env(), "dataset=" + s.dataset(),
                        "seed=" + seed, "offlineSteps=" + s.offlineSteps(), "onlineSteps=" + s.onlineSteps(),
                        "evalEvery=" + s.evalEvery(), "evalEpisodes=" + s.evalEpisodes(),
                        "checkpointEvery=" + (s.offlineSteps() + s.onlineSteps())));
                o.addAll(s.overrides());
                OnlineConfig cfg = ConfigLoader.load(OnlineConfig.class, OnlineConfig.finetuneDefaults(), null, o);
                if (!RunDirectory.finishedWith(runDir, cfg)) { // a finished run of these settings is read, not retrained
                    new OnlineTrainer(cfg, runDir).progressBar(progress).fit();
                }
                TreeMap<Long, Double> evals = evaluations(runDir);
                Double atSwitch = evals.get(s.offlineSteps());
                if (atSwitch == null) {
                    throw new IllegalArgumentException(runDir + ": no evaluation at the end of the offline phase (step "
                            + s.offlineSteps() + ")");
                }
                off[seed] = atSwitch;
                on[seed] = evals.lastEntry().getValue();
                evals.forEach((step, score) -> curve.computeIfAbsent(step, k -> new ArrayList<>()).add(score));
                System.out.printf(Locale.ROOT, "%s %s seed %d: offline end %.1f, online end %.1f%n", s.env(), algo, seed,
                        off[seed], on[seed]);
            }
            offlineEnd.put(algo, off);
            onlineEnd.put(algo, on);
            curves.put(algo, curve);
        }
        writeReport(s, offlineEnd, onlineEnd, curves);
        return new Outcome(offlineEnd, onlineEnd);
    }

    /** Normalised evaluation scores of a run by step. */
    static TreeMap<Long, Double> evaluations(Path runDir) {
        TreeMap<Long, Double> evals = new TreeMap<>();
        for (JsonNode row : MetricsLog.read(runDir.resolve("metrics.jsonl"))) {
            if (row.path("phase").asText().equals("eval")) {
                evals.put(row.path("step").asLong(), row.path("normalised_score").asDouble());
            }
        }
        if (evals.isEmpty()) {
            throw new IllegalArgumentException(runDir + "/metrics.jsonl has no evaluation");
        }
        return evals;
    }

    private static void writeReport(Settings s, Map<String, double[]> offlineEnd, Map<String, double[]> onlineEnd,
                                    Map<String, TreeMap<Long, List<Double>>> curves) {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(s.env()).append(": offline ").append(s.offlineSteps()).append(" steps, then online ")
                .append(s.onlineSteps()).append(" steps\n\n");
        md.append("Generated by `fulcrum experiment offline-to-online` on ").append(LocalDate.now()).append(". Command: `")
                .append(s.command()).append("`\n\n");
        md.append("Normalised score of ").append(s.evalEpisodes()).append(" deterministic evaluation episodes; mean ± 95% ")
                .append("t-interval half-width over seeds 0..").append(s.seeds() - 1).append(".\n\n");
        md.append("| algorithm | end of offline | end of online | change | Welch p | per seed (offline -> online) |\n")
                .append("|---|---|---|---|---|---|\n");
        for (String algo : s.algorithms()) {
            double[] off = offlineEnd.get(algo), on = onlineEnd.get(algo);
            double[] change = new double[off.length];
            StringBuilder per = new StringBuilder();
            for (int i = 0; i < off.length; i++) {
                change[i] = on[i] - off[i];
                per.append(per.isEmpty() ? "" : "; ").append(String.format(Locale.ROOT, "%.1f -> %.1f", off[i], on[i]));
            }
            double p = Stats.welch(on, off)[2];
            md.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %.1f ± %.1f | %+.1f ± %.1f | %.3g | %s |%n", algo,
                    Stats.mean(off), Stats.ci95HalfWidth(off), Stats.mean(on), Stats.ci95HalfWidth(on), Stats.mean(change),
                    Stats.ci95HalfWidth(change), p, per));
        }
        String name = s.report().getFileName().toString().replace(".md", "") + "-curves.png";
        Path png = s.report().resolveSibling(name);
        ResultTables.saveCurves(s.env() + ": offline (steps 1-" + s.offlineSteps() + ") then online", "step (gradient steps, "
                + "then environment steps)", curves, "end of offline phase", null, png);
        md.append("\n![").append(s.env()).append(" curves](").append(name).append(")\n\n");
        md.append("Curves: mean normalised score over seeds at each evaluation; the offline phase ends at step ")
                .append(s.offlineSteps()).append(".\n\n");
        AtomicFiles.writeString(s.report(), md.toString());
    }
}
