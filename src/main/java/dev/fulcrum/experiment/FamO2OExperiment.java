package dev.fulcrum.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.control.algo.FamO2O;
import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.data.D4rlHdf5;
import dev.fulcrum.control.data.DatasetFormat;
import dev.fulcrum.control.data.OfflineDataset;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.control.train.DatasetTiers;
import dev.fulcrum.control.train.OnlineConfig;
import dev.fulcrum.control.train.OnlineTrainer;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.core.stats.Stats;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * FamO2O's claim (Wang et al., NeurIPS 2023): given the same offline phase and the same online budget, IQL with state-adaptive
 * balances (FamO2O) fine-tunes to a higher score than IQL with one fixed balance. Both algorithms pre-train on one dataset
 * and then fine-tune online with one shared replay buffer and one gradient step per environment step ({@code fulcrum
 * control finetune}), per seed; final normalised scores are compared with 95% confidence intervals and Welch's t-test.
 * The balance model's per-state coefficients are read on the dataset's states and shown against data quality: the parts
 * of a generated mixed dataset (e.g. random vs expert) and the return of the episode each state belongs to.
 */
public final class FamO2OExperiment {

    /**
     * @param env          environment id
     * @param dataset      an existing dataset (D4RL/Minari; MuJoCo tiers); null: generate a mixed one from {@code parts}
     * @param parts        behaviour qualities of the generated dataset's parts, in order
     * @param transitionsPerPart transitions collected per part
     * @param overrides    key=value settings for both algorithms' runs, after the experiment's defaults
     */
    public record Settings(String env, Path dataset, List<String> parts, int transitionsPerPart, int seeds, long offlineSteps,
                           long onlineSteps, int evalEvery, int evalEpisodes, List<String> overrides, Path workDir, Path report) {
    }

    public record Outcome(Map<String, double[]> finalScores, String verdict) {
    }

    static final List<String> ALGORITHMS = List.of("iql", "famo2o");

    /**
     * The settings of the code's AntMaze configuration for sparse goal tasks (IQL beta 10 and expectile 0.9, no cosine decay;
     * FamO2O range (8, 14)); dense tasks keep the locomotion defaults (beta 3, expectile 0.7, range (1, 5)).
     */
    static List<String> taskDefaults(boolean sparse) {
        return sparse ? List.of("iql.beta=10", "iql.expectile=0.9", "iql.cosineActorSchedule=false",
                "famo2o.coefficientMin=8", "famo2o.coefficientMax=14") : List.of();
    }

    /** A dataset with, where known, the row range of each named part. */
    private record Data(Path file, OfflineDataset rows, Map<String, int[]> parts) {
    }

    public static Outcome run(Settings s, boolean progress) {
        Env env = EnvRegistry.make(s.env());
        Data data = s.dataset() != null ? new Data(s.dataset(), DatasetFormat.readAny(s.dataset()), Map.of()) : generate(s, env);
        List<String> common = new ArrayList<>(taskDefaults(env.spec().sparseReward()));
        common.addAll(s.overrides());

        Map<String, double[]> finals = new LinkedHashMap<>(), offlineEnd = new LinkedHashMap<>(), onlineMean = new LinkedHashMap<>();
        Map<String, TreeMap<Long, List<Double>>> curves = new LinkedHashMap<>();
        Coefficients coefficients = new Coefficients(data);
        for (String algo : ALGORITHMS) {
            finals.put(algo, new double[s.seeds()]);
            offlineEnd.put(algo, new double[s.seeds()]);
            onlineMean.put(algo, new double[s.seeds()]);
        }
        for (int seed = 0; seed < s.seeds(); seed++) {
            for (String algo : ALGORITHMS) {
                List<String> o = new ArrayList<>(List.of("algo=" + algo, "env=" + s.env(), "dataset=" + data.file(),
                        "seed=" + seed, "offlineSteps=" + s.offlineSteps(), "onlineSteps=" + s.onlineSteps(),
                        "evalEvery=" + s.evalEvery(), "evalEpisodes=" + s.evalEpisodes(),
                        "checkpointEvery=" + (s.offlineSteps() + s.onlineSteps()), "logEvery=" + Math.max(1, s.evalEvery() / 5)));
                o.addAll(common);
                OnlineConfig cfg = ConfigLoader.load(OnlineConfig.class, OnlineConfig.finetuneDefaults(), null, o);
                Path runDir = s.workDir().resolve("runs").resolve(algo + "-seed" + seed);
                OnlineTrainer.Result r = new OnlineTrainer(cfg, runDir).progressBar(progress).sideLane(false).fit();
                finals.get(algo)[seed] = r.finalEvaluation().meanScore();
                List<Double> online = new ArrayList<>();
                for (JsonNode row : MetricsLog.read(runDir.resolve("metrics.jsonl"))) {
                    if (row.path("phase").asText().equals("eval")) {
                        long step = row.path("step").asLong();
                        double score = row.path("normalised_score").asDouble();
                        if (step > s.offlineSteps()) {
                            online.add(score);
                        }
                        curves.computeIfAbsent(algo, k -> new TreeMap<>()).computeIfAbsent(step, k -> new ArrayList<>()).add(score);
                        if (step == s.offlineSteps()) {
                            offlineEnd.get(algo)[seed] = score;
                        }
                    }
                }
                onlineMean.get(algo)[seed] = online.stream().mapToDouble(x -> x).average().orElse(Double.NaN);
                if (algo.equals("famo2o")) {
                    coefficients.add(cfg, RunDirectory.open(runDir));
                }
                System.out.printf(Locale.ROOT, "%s seed %d: offline %.1f -> final %.1f%n", algo, seed, offlineEnd.get(algo)[seed],
                        finals.get(algo)[seed]);
            }
        }
        String verdict = writeReport(s, env, data, common, finals, offlineEnd, onlineMean, curves, coefficients);
        return new Outcome(finals, verdict);
    }

    private static Data generate(Settings s, Env env) {
        OfflineDataset all = null;
        Map<String, int[]> parts = new LinkedHashMap<>();
        for (int i = 0; i < s.parts().size(); i++) {
            String quality = s.parts().get(i);
            OfflineDataset part = Collector.collect(env, BehaviourPolicies.forEnv(s.env(), quality), s.transitionsPerPart(),
                    new Rng(i), Map.of());
            int start = all == null ? 0 : all.size();
            parts.put(quality, new int[] {start, start + part.size()});
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("experiment", "famo2o");
            meta.put("parts", String.join("+", s.parts()));
            meta.put("transitions_per_part", Integer.toString(s.transitionsPerPart()));
            all = all == null ? part : DatasetTiers.concat(all, part, meta);
        }
        Path file = s.workDir().resolve(s.env() + "-" + String.join("-", s.parts()) + ".hdf5");
        D4rlHdf5.write(all, file);
        return new Data(file, all, parts);
    }

    /** The balance model's coefficients on the dataset's states, per seed. */
    private static final class Coefficients {
        final Data data;
        final List<double[]> perSeed = new ArrayList<>(); // coefficient of every dataset row
        double lo, hi;

        Coefficients(Data data) {
            this.data = data;
        }

        void add(OnlineConfig cfg, RunDirectory run) {
            lo = cfg.famo2o().coefficientMin();
            hi = cfg.famo2o().coefficientMax();
            OfflineDataset d = data.rows();
            int dim = d.observationDim();
            double[] out = new double[d.size()];
            try (NDManager m = Torch.newManager()) {
                OnlineTrainer.Trained trained = OnlineTrainer.loadLatest(run, m);
                FamO2O algo = (FamO2O) trained.algorithm();
                Preprocessor pre = trained.preprocessor();
                int chunk = 4096;
                for (int start = 0; start < d.size(); start += chunk) {
                    int n = Math.min(chunk, d.size() - start);
                    float[] obs = new float[n * dim];
                    for (int i = 0; i < n; i++) {
                        pre.normaliseObservationInto(d.observations(), (start + i) * dim, obs, i * dim);
                    }
                    try (NDScope ignored = new NDScope()) {
                        NDArray beta = algo.coefficients(m.create(obs, new Shape(n, dim)));
                        float[] b = beta.toFloatArray();
                        for (int i = 0; i < n; i++) {
                            out[start + i] = b[i];
                        }
                    }
                }
            }
            perSeed.add(out);
        }

        /** Per seed, the mean coefficient over the rows {@code [from, to)}. */
        double[] meanPerSeed(int from, int to) {
            double[] means = new double[perSeed.size()];
            for (int k = 0; k < means.length; k++) {
                double sum = 0;
                for (int i = from; i < to; i++) {
                    sum += perSeed.get(k)[i];
                }
                means[k] = sum / (to - from);
            }
            return means;
        }

        /** Episode row ranges {start, end} of the dataset (ends at terminals, timeouts and the last row). */
        List<int[]> episodes() {
            OfflineDataset d = data.rows();
            List<int[]> eps = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < d.size(); i++) {
                if (d.terminals()[i] || d.timeouts()[i] || i == d.size() - 1) {
                    eps.add(new int[] {start, i + 1});
                    start = i + 1;
                }
            }
            return eps;
        }
    }

    private static String writeReport(Settings s, Env env, Data data, List<String> common, Map<String, double[]> finals,
                                      Map<String, double[]> offlineEnd, Map<String, double[]> onlineMean,
                                      Map<String, TreeMap<Long, List<Double>>> curves,
                                      Coefficients coefficients) {
        StringBuilder md = new StringBuilder();
        md.append("# FamO2O vs IQL: offline-to-online fine-tuning on ").append(s.env()).append("\n\n");
        md.append("Generated by `fulcrum experiment famo2o` on ").append(LocalDate.now()).append(".\n\n");
        md.append("Command: `fulcrum experiment famo2o --env ").append(s.env());
        if (s.dataset() != null) {
            md.append(" --dataset ").append(s.dataset());
        } else {
            md.append(" --parts ").append(String.join(",", s.parts())).append(" --transitions-per-part ").append(s.transitionsPerPart());
        }
        md.append(" --seeds ").append(s.seeds()).append(" --offline-steps ").append(s.offlineSteps()).append(" --online-steps ")
                .append(s.onlineSteps()).append(" --eval-every ").append(s.evalEvery()).append(" --eval-episodes ").append(s.evalEpisodes());
        s.overrides().forEach(o -> md.append(" --set ").append(o));
        md.append("`\n\n");
        md.append("**Claim** (Wang et al., NeurIPS 2023): with the same offline phase and the same online budget, IQL with ")
                .append("FamO2O's state-adaptive balance model fine-tunes to a higher normalised score than IQL with one fixed ")
                .append("balance; the balance model picks different coefficients for states of different data quality.\n\n");
        md.append("**Setup.** Dataset `").append(data.file().getFileName()).append("`: ").append(data.rows().size())
                .append(" transitions, ").append(data.rows().episodeCount()).append(" episodes");
        if (!data.parts().isEmpty()) {
            md.append(", generated as the parts ").append(String.join(" + ", data.parts().keySet())).append(" (")
                    .append(s.transitionsPerPart()).append(" transitions each, scripted behaviour policies)");
        }
        md.append(". Each algorithm: ").append(s.offlineSteps()).append(" offline gradient steps on the replay buffer pre-filled ")
                .append("with the dataset, then ").append(s.onlineSteps()).append(" environment steps with one gradient step ")
                .append("each (`fulcrum control finetune`), seeds 0..").append(s.seeds() - 1).append(". Settings for both: ")
                .append(common.isEmpty() ? "the defaults" : "`" + String.join(" ", common) + "`")
                .append(". Score: normalised score 100 (R - R_random) / (R_expert - R_random), mean over ").append(s.evalEpisodes())
                .append(" evaluation episodes; final = at the last step, offline = at the end of the offline phase.\n\n");
        md.append("| algorithm | final mean | 95% CI (t) | per seed |\n|---|---|---|---|\n");
        finals.forEach((k, v) -> md.append(ResultTables.scoreRow(k, v)));
        md.append("\n| algorithm | offline-end mean | 95% CI (t) | per seed |\n|---|---|---|---|\n");
        offlineEnd.forEach((k, v) -> md.append(ResultTables.scoreRow(k, v)));
        md.append("\n| algorithm | mean over the online phase's evaluations | 95% CI (t) | per seed |\n|---|---|---|---|\n");
        onlineMean.forEach((k, v) -> md.append(ResultTables.scoreRow(k, v)));
        md.append("\nWelch's t-test across seeds (positive: FamO2O higher):\n\n| comparison | difference | t | df | two-sided p |\n")
                .append("|---|---|---|---|---|\n");
        ResultTables.Comparison fin = ResultTables.Comparison.of("famo2o", finals.get("famo2o"), "iql", finals.get("iql"));
        ResultTables.Comparison off = ResultTables.Comparison.of("famo2o", offlineEnd.get("famo2o"), "iql", offlineEnd.get("iql"));
        double[] gainF = gain(finals.get("famo2o"), offlineEnd.get("famo2o")), gainI = gain(finals.get("iql"), offlineEnd.get("iql"));
        ResultTables.Comparison gain = ResultTables.Comparison.of("famo2o", gainF, "iql", gainI);
        md.append(fin.row("famo2o vs iql, final")).append(off.row("famo2o vs iql, end of offline phase"))
                .append(gain.row("famo2o vs iql, online gain (final - offline)"))
                .append(ResultTables.Comparison.of("famo2o", onlineMean.get("famo2o"), "iql", onlineMean.get("iql"))
                        .row("famo2o vs iql, mean over the online phase (speed of fine-tuning)"));
        boolean held = fin.difference() > 0 && fin.p() < 0.05;
        String verdict = String.format(Locale.ROOT, "%s: FamO2O %s IQL after fine-tuning (%+.1f points, p = %.2g; online gain %+.1f vs %+.1f)",
                held ? "HELD" : "NOT HELD", held ? "beats" : fin.difference() > 0 ? "is not significantly better than"
                        : "does not beat", fin.difference(), fin.p(), Stats.mean(gainF), Stats.mean(gainI));
        md.append("\n**Verdict: ").append(verdict).append(".**\n\n");

        String stem = s.report().getFileName().toString().replace(".md", "");
        Path curvesPng = s.report().resolveSibling(stem + "-curves.png");
        ResultTables.saveCurves("normalised score during training", "step (offline gradient steps, then environment steps)",
                curves, "end of offline phase", null, curvesPng);
        md.append("![learning curves](").append(curvesPng.getFileName()).append(")\n\n");
        md.append("Curves: mean normalised score over seeds at each evaluation; the offline phase ends at step ")
                .append(s.offlineSteps()).append(".\n\n");

        md.append("## The coefficients the balance model picks\n\n");
        md.append(String.format(Locale.ROOT, "The final balance model's deterministic coefficient beta(s) (range [%.0f, %.0f]; larger ", coefficients.lo, coefficients.hi))
                .append("beta = sharper advantage weighting, i.e. more improvement and less imitation) on every dataset state.\n\n");
        if (!data.parts().isEmpty()) {
            md.append("| dataset part | mean beta(s) | 95% CI (t) over seeds | per seed |\n|---|---|---|---|\n");
            Map<String, double[]> partMeans = new LinkedHashMap<>();
            data.parts().forEach((name, range) -> partMeans.put(name, coefficients.meanPerSeed(range[0], range[1])));
            partMeans.forEach((name, v) -> md.append(ResultTables.scoreRow(name, v, 2)));
            if (partMeans.size() >= 2) {
                List<String> names = new ArrayList<>(partMeans.keySet());
                double[] a = partMeans.get(names.get(names.size() - 1)), b = partMeans.get(names.get(0));
                double[] diff = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    diff[i] = a[i] - b[i];
                }
                md.append(String.format(Locale.ROOT, "%nPer seed, mean beta on %s states minus %s states: %.3f ± %.3f (95%% CI over seeds).%n%n",
                        names.get(names.size() - 1), names.get(0), Stats.mean(diff), Stats.ci95HalfWidth(diff)));
            }
        }
        Path coefPng = s.report().resolveSibling(stem + "-coefficients.png");
        plotCoefficients(coefficients, env, coefPng);
        md.append("![coefficients vs data quality](").append(coefPng.getFileName()).append(")\n\n");
        md.append("Each point is one dataset episode: its normalised return (data quality) against the mean of beta(s) over its ")
                .append("states, averaged over seeds").append(data.parts().isEmpty() ? "" : "; colours are the dataset parts")
                .append(".\n\n");
        md.append("Dataset provenance: ").append(data.rows().metadata()).append("\n");
        AtomicFiles.writeString(s.report(), md.toString());
        return verdict;
    }

    private static double[] gain(double[] fin, double[] off) {
        double[] g = new double[fin.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = fin[i] - off[i];
        }
        return g;
    }

    private static void plotCoefficients(Coefficients c, Env env, Path png) {
        XYChart chart = new XYChartBuilder().width(720).height(420).title("balance coefficient vs data quality")
                .xAxisTitle("episode normalised return").yAxisTitle("mean beta(s) over the episode").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        Map<String, int[]> parts = c.data.parts().isEmpty() ? Map.of("dataset", new int[] {0, c.data.rows().size()}) : c.data.parts();
        OfflineDataset d = c.data.rows();
        for (var part : parts.entrySet()) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int[] ep : c.episodes()) {
                if (ep[0] < part.getValue()[0] || ep[0] >= part.getValue()[1]) {
                    continue;
                }
                double ret = 0;
                for (int i = ep[0]; i < ep[1]; i++) {
                    ret += d.rewards()[i];
                }
                double[] perSeed = c.meanPerSeed(ep[0], ep[1]);
                xs.add(env.spec().normalisedScore(ret));
                ys.add(Stats.mean(perSeed));
            }
            if (!xs.isEmpty()) {
                chart.addSeries(part.getKey(), xs.stream().mapToDouble(x -> x).toArray(), ys.stream().mapToDouble(y -> y).toArray());
            }
        }
        Charts.save(chart, png);
    }
}
