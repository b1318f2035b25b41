package dev.fulcrum.experiment.lm;

import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.lm.iterative.IterateConfig;
import dev.fulcrum.lm.iterative.IterationTrainer;
import dev.fulcrum.lm.iterative.IterativePreferenceLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The Nash-methods claim (issue 7): from the shared SFT base model, {@code T} iterations of DNO, INPO and iterative DPO, and
 * PPO with a Bradley-Terry reward model ({@link NashPpoArm}), for
 * several seeds, once under the intransitive oracle and once under the Bradley-Terry oracle, measuring each iterate's
 * oracle win rate against the SFT model ({@code P(policy > SFT)}, a general preference). Claims checked:
 * <ol>
 *   <li>under the intransitive oracle, DNO and INPO improve monotonically over the iterations (seed means) and end above
 *       iterative DPO and PPO with a Bradley-Terry reward model (Welch's test over seeds, p &lt; 0.05);</li>
 *   <li>under the Bradley-Terry oracle, they end on par (no significant difference).</li>
 * </ol>
 * Iterative DPO's labels are the gold reward's order, i.e. the Bradley-Terry oracle's (a stand-in for a Bradley-Terry
 * reward model trained on oracle labels; see {@link dev.fulcrum.lm.iterative.PairSelection.ScalarReward}).
 */
public final class NashExperiment {

    /**
     * @param oracles   intransitive and/or bt
     * @param methods   dno, inpo, dpo, ppo
     * @param seeds     seeds per (oracle, method)
     * @param overrides {@link IterateConfig} settings for every run
     * @param work      where the runs go ({@code work/<oracle>/<method>/seed-<n>}); finished ones are reused
     * @param report    the Markdown report (a PNG beside it)
     * @param base      the SFT base model's spec
     * @param cache     the base-model cache folder; {@code null}: {@link BaseSft#cacheRoot()}
     * @param ppo       the budget of method {@code ppo} ({@link NashPpoArm})
     */
    public record Settings(List<String> oracles, List<String> methods, int seeds, long firstSeed, List<String> overrides, Path work,
                           Path report, BaseSft.Spec base, Path cache, NashPpoArm.Budget ppo) {
        /** Settings with the PPO arm's default budget. */
        public Settings(List<String> oracles, List<String> methods, int seeds, long firstSeed, List<String> overrides, Path work,
                        Path report, BaseSft.Spec base, Path cache) {
            this(oracles, methods, seeds, firstSeed, overrides, work, report, base, cache, NashPpoArm.Budget.defaults());
        }
    }

    /** The baselines the Nash methods are compared with: iterative DPO and PPO with a Bradley-Terry reward model. */
    static final List<String> BASELINES = List.of("dpo", "ppo");

    /** One run's rows. */
    public record Run(String oracle, String method, long seed, List<IterativePreferenceLoop.Row> rows, double seconds) {
    }

    private NashExperiment() {
    }

    public static List<Run> run(Settings s, IterationTrainer trainer, boolean progress, Consumer<String> log) {
        Path base = BaseSft.obtain(s.base(), s.cache() == null ? BaseSft.cacheRoot() : s.cache(), progress);
        List<Run> runs = new ArrayList<>();
        for (String oracle : s.oracles()) {
            NashPpoArm.RewardModel rewardModel = null;
            for (String method : s.methods()) {
                for (int i = 0; i < s.seeds(); i++) {
                    long seed = s.firstSeed() + i;
                    boolean ppo = method.equals("ppo");
                    // the ppo arm's IterateConfig carries the shared settings (prompts, sampling, evaluation); its method is unused
                    List<String> o = new ArrayList<>(List.of("method=" + (ppo ? "dpo" : method), "oracle=" + oracle, "init=" + base,
                            "seed=" + seed));
                    o.addAll(s.overrides());
                    IterateConfig cfg = ConfigLoader.load(IterateConfig.class, IterateConfig.defaults(), null, o);
                    Path out = s.work().resolve(oracle).resolve(method).resolve("seed-" + seed);
                    long t0 = System.nanoTime();
                    List<IterativePreferenceLoop.Row> rows;
                    if (ppo) {
                        if (rewardModel == null) {
                            IterateConfig first = ConfigLoader.load(IterateConfig.class, cfg, null, List.of("seed=" + s.firstSeed()));
                            rewardModel = NashPpoArm.rewardModel(first, s.work().resolve(oracle).resolve(method).resolve("reward-model"),
                                    s.firstSeed(), s.ppo(), progress, log);
                        }
                        rows = NashPpoArm.run(cfg, out, rewardModel, s.ppo(), progress);
                    } else {
                        rows = new IterativePreferenceLoop(cfg, out, trainer).resume(Files.isRegularFile(out.resolve("config.json")))
                                .progressBar(progress).verbose(true).run().rows();
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    seconds = wallSeconds(out, seconds);
                    Run r = new Run(oracle, method, seed, rows, seconds);
                    runs.add(r);
                    log.accept(String.format(Locale.ROOT, "%s %s seed %d: win rate %s (%.0f s)", oracle, method, seed,
                            r.rows().stream().map(x -> String.format(Locale.ROOT, "%.3f", x.winRate())).toList(), seconds));
                }
            }
        }
        writeReport(s, base, runs);
        return runs;
    }

    /**
     * The run's wall-clock seconds: {@code measured} when this call did the work (recorded in {@code OUT/wall-seconds.txt}),
     * the recorded figure when the run was only read back (under a second).
     */
    private static double wallSeconds(Path out, double measured) {
        Path file = out.resolve("wall-seconds.txt");
        try {
            if (measured < 1 && Files.isRegularFile(file)) {
                return Double.parseDouble(Files.readString(file).strip());
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return measured;
        }
        AtomicFiles.writeString(file, String.format(Locale.ROOT, "%.1f%n", measured));
        return measured;
    }

    /** Win rates of (oracle, method) at iteration {@code t}, one per seed that has that iteration (ppo: 0 and T only). */
    static double[] winRates(List<Run> runs, String oracle, String method, int t) {
        return runs.stream().filter(r -> r.oracle().equals(oracle) && r.method().equals(method))
                .flatMap(r -> r.rows().stream().filter(x -> x.iteration() == t)).mapToDouble(IterativePreferenceLoop.Row::winRate).toArray();
    }

    /** Whether the seed means rise strictly from iteration 0 to the last. */
    static boolean monotone(List<Run> runs, String oracle, String method, int iterations) {
        double previous = Double.NEGATIVE_INFINITY;
        for (int t = 0; t <= iterations; t++) {
            double m = Stats.mean(winRates(runs, oracle, method, t));
            if (!(m > previous)) {
                return false;
            }
            previous = m;
        }
        return true;
    }

    private static void writeReport(Settings s, Path base, List<Run> runs) {
        int iterations = runs.stream().mapToInt(r -> r.rows().getLast().iteration()).min().orElse(0);
        StringBuilder md = new StringBuilder();
        md.append("# DNO and INPO vs iterative DPO and PPO under intransitive and Bradley-Terry preferences\n\n");
        md.append("Claim (issue 7): with a general (intransitive) preference oracle, DNO and INPO improve monotonically over the ")
                .append("iterations and beat iterative DPO and PPO with a Bradley-Terry reward model; with a Bradley-Terry oracle ")
                .append("they are on par.\n\n");
        md.append("## Set-up\n\n");
        md.append("* Start: the SFT base model `BaseSft` ").append(s.base().equals(BaseSft.Spec.standard()) ? "standard spec"
                        : "spec of the standard shape and data with " + s.base().steps() + " updates instead of "
                        + BaseSft.Spec.standard().steps()).append(" (cache key ").append(base.getFileName()).append("). Every iteration samples K ")
                .append("responses per fresh held-in prompt from the current policy, labels them with the oracle, selects one pair per ")
                .append("prompt and trains the next iterate (`lm.iterative.IterativePreferenceLoop`).\n");
        md.append("* DNO: pairs best vs worst by win rate against the other samples under the oracle, kept when the win-rate gap ")
                .append("is at least `dnoMargin`; earlier iterations' pairs mixed in with share `dnoMixDecay^(t-s)`; DPO loss with the ")
                .append("previous iterate as reference (beta = eta).\n");
        md.append("* INPO: best vs worst by win rate; loss (h_t - 1/(2 eta))^2 anchored at the SFT model and the previous iterate ")
                .append("(`lm.align.Inpo`).\n");
        md.append("* Iterative DPO: best vs worst by the gold reward, i.e. the Bradley-Terry oracle's order (a stand-in for a ")
                .append("Bradley-Terry reward model trained on oracle labels, not a trained reward model); DPO anchored at the SFT ")
                .append("model.\n");
        if (s.methods().contains("ppo")) {
            md.append("* PPO (`NashPpoArm`): one Bradley-Terry reward model per oracle, trained from the SFT model on every pair of ")
                    .append("the SFT model's K samples per held-in training prompt (tool-free families), labelled with the oracle's ")
                    .append("more probable verdict; PPO-max from the SFT model (KL to it) with that reward, as many rollouts as an ")
                    .append("iterative run samples unless set; its final policy is reported at t=").append(iterations)
                    .append(" (no intermediate iterates).\n");
        }
        md.append("* Metric: P(policy > SFT) under the run's oracle on fixed held-in evaluation prompts (sampled responses of ")
                .append("both models, oracle probabilities; 0.5 = no change). Iteration 0 is the SFT model against itself.\n");
        md.append("* Settings of every run (`IterateConfig`, besides method/oracle/seed): `").append(String.join(" ", s.overrides()))
                .append("` on top of the defaults; seeds ").append(s.firstSeed()).append("..").append(s.firstSeed() + s.seeds() - 1)
                .append(".\n\n");
        md.append("Command: `bin/fulcrum experiment nash --seeds ").append(s.seeds());
        if (!s.base().equals(BaseSft.Spec.standard())) {
            md.append(" --base-steps ").append(s.base().steps());
        }
        s.overrides().forEach(o -> md.append(" --set ").append(o));
        md.append("`\n\n");

        List<XYChart> charts = new ArrayList<>();
        Map<String, String> verdicts = new LinkedHashMap<>();
        for (String oracle : s.oracles()) {
            md.append("## Oracle: ").append(oracle).append("\n\n");
            md.append("Win rate against the SFT model, mean over seeds with the 95% t-interval over seeds:\n\n");
            md.append("| method |");
            for (int t = 0; t <= iterations; t++) {
                md.append(" t=").append(t).append(" |");
            }
            md.append(" per seed at t=").append(iterations).append(" |\n|---|");
            md.append("---|".repeat(iterations + 2)).append("\n");
            XYChart chart = new XYChartBuilder().width(560).height(400).title(oracle + " oracle").xAxisTitle("iteration")
                    .yAxisTitle("P(policy > SFT)").build();
            for (String method : s.methods()) {
                md.append("| ").append(method).append(" |");
                double[] x = new double[iterations + 1], y = new double[iterations + 1], e = new double[iterations + 1];
                int points = 0;
                for (int t = 0; t <= iterations; t++) {
                    double[] w = winRates(runs, oracle, method, t);
                    if (w.length == 0) {
                        md.append(" – |");
                        continue;
                    }
                    x[points] = t;
                    y[points] = Stats.mean(w);
                    e[points] = w.length > 1 ? Stats.ci95HalfWidth(w) : 0;
                    md.append(String.format(Locale.ROOT, " %.3f ± %.3f |", y[points], e[points]));
                    points++;
                }
                x = java.util.Arrays.copyOf(x, points);
                y = java.util.Arrays.copyOf(y, points);
                e = java.util.Arrays.copyOf(e, points);
                double[] last = winRates(runs, oracle, method, iterations);
                StringBuilder per = new StringBuilder();
                for (double v : last) {
                    per.append(per.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v));
                }
                md.append(" ").append(per).append(" |\n");
                chart.addSeries(method, x, y, e);
            }
            charts.add(chart);
            md.append("\nFinal iterate against iterative DPO and PPO with a Bradley-Terry reward model (Welch's t-test over seeds):\n\n");
            md.append("| comparison | difference | t | df | two-sided p |\n|---|---|---|---|---|\n");
            Map<String, double[]> tests = new LinkedHashMap<>();
            for (String baseline : BASELINES) {
                for (String method : List.of("dno", "inpo")) {
                    if (!s.methods().contains(method) || !s.methods().contains(baseline)) {
                        continue;
                    }
                    double[] a = winRates(runs, oracle, method, iterations), b = winRates(runs, oracle, baseline, iterations);
                    double[] w = a.length > 1 && b.length > 1 ? Stats.welch(a, b) : new double[] {Double.NaN, Double.NaN, Double.NaN};
                    double d = Stats.mean(a) - Stats.mean(b);
                    tests.put(method + " vs " + baseline, new double[] {d, w[2]});
                    md.append(String.format(Locale.ROOT, "| %s vs %s | %+.3f | %.2f | %.1f | %.3g |%n", method, baseline, d, w[0], w[1], w[2]));
                }
            }
            md.append("\n");
            verdicts.put(oracle, verdict(oracle, runs, s.methods(), iterations, tests));
            md.append("Verdict: ").append(verdicts.get(oracle)).append("\n\n");
        }

        md.append("## Throughput and cost\n\n");
        md.append("| oracle | method | sampling samples/s | sampling tokens/s | training s per iteration | wall s per run |\n")
                .append("|---|---|---|---|---|---|\n");
        for (String oracle : s.oracles()) {
            for (String method : s.methods()) {
                List<IterativePreferenceLoop.Row> rows = runs.stream().filter(r -> r.oracle().equals(oracle) && r.method().equals(method))
                        .flatMap(r -> r.rows().stream().filter(x -> x.iteration() > 0)).toList();
                double[] wall = runs.stream().filter(r -> r.oracle().equals(oracle) && r.method().equals(method))
                        .mapToDouble(Run::seconds).toArray();
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.0f | %.1f | %.0f |%n", oracle, method,
                        rows.stream().mapToDouble(IterativePreferenceLoop.Row::samplesPerSecond).average().orElse(Double.NaN),
                        rows.stream().mapToDouble(IterativePreferenceLoop.Row::tokensPerSecond).average().orElse(Double.NaN),
                        rows.stream().mapToDouble(IterativePreferenceLoop.Row::trainSeconds).average().orElse(Double.NaN),
                        Stats.mean(wall)));
            }
        }
        md.append("\nWall-clock figures were taken on a shared 2-core machine with other jobs running (`FULCRUM_LANES=1`, `nice`, ")
                .append("load average 13-19); sampling includes tool execution and decoding in batches of ")
                .append("`generationBatch` with the KV cache; training includes the reference (and anchor) scoring and the export")
                .append(s.methods().contains("ppo") ? "; for ppo the sampling figures are PPO's rollouts (tokens/s not recorded: 0) "
                        + "and the training figure is the whole PPO run" : "").append(".\n\n");
        String png = s.report().getFileName().toString().replaceFirst("\\.md$", "") + ".png";
        Path pngPath = s.report().resolveSibling(png);
        Charts.saveGrid(charts, pngPath);
        md.append("![win rate per iteration](").append(png).append(")\n");
        md.append("\n## What the losses are and how they were checked\n\n");
        md.append("* INPO (`lm.align.Inpo`): h_t = log(pi(yw)/pi(yl)) - (tau/eta) log(ref(yw)/ref(yl)) - ((eta - tau)/eta) ")
                .append("log(pi_t(yw)/pi_t(yl)), loss (h_t - 1/(2 eta))^2; checked against PyTorch float64 values and gradients ")
                .append("(`scripts/fixtures/nash_losses.py`), finite differences, a hand case, tau = eta reducing to IPO on summed ")
                .append("log-probs, and on the trainer against an independent scoring of policy, reference and previous iterate. ")
                .append("The equation follows the project's ALGORITHMS.md summary; the paper's text itself could not be retrieved ")
                .append("here (only its abstract), so the form was checked by derivation: its minimiser is the online-mirror-descent ")
                .append("step pi ~ ref^(tau/eta) pi_t^((eta - tau)/eta) exp(P(y > pi_t)/eta).\n");
        md.append("* DNO (practical, DNO-Prct): DPO's sigmoid loss with the previous iterate as reference (same fixture file); the ")
                .append("teacher response of the paper is not used (every method sees only its own samples).\n");
        AtomicFiles.writeString(s.report(), md.toString());
    }

    /**
     * The claim's verdict for one oracle. Intransitive: HELD when DNO and INPO (those run) both rise monotonically and end
     * significantly above every baseline run (iterative DPO, PPO with a Bradley-Terry reward model; Welch p &lt; 0.05).
     * Bradley-Terry: parity, i.e. no comparison significant; INCONCLUSIVE when no method's final win rate is above 1/2 by
     * its interval (parity of methods that did not move).
     *
     * @param tests "method vs baseline" to {difference of means, Welch p}
     */
    static String verdict(String oracle, List<Run> runs, List<String> methods, int iterations, Map<String, double[]> tests) {
        List<String> baselines = BASELINES.stream().filter(methods::contains).toList();
        if (methods.stream().noneMatch(m -> m.equals("dno") || m.equals("inpo"))) {
            return "NOT TESTED: neither DNO nor INPO was run (methods " + String.join(", ", methods) + ").";
        }
        List<String> parts = new ArrayList<>();
        for (String method : List.of("dno", "inpo")) {
            if (!methods.contains(method)) {
                continue;
            }
            List<String> against = new ArrayList<>();
            for (String baseline : baselines) {
                double[] test = tests.get(method + " vs " + baseline);
                String name = baseline.equals("dpo") ? "iterative DPO" : "PPO with a Bradley-Terry reward model";
                against.add(test[1] < 0.05 ? (test[0] > 0 ? "significantly above " : "significantly below ") + name
                        : String.format(Locale.ROOT, "not significantly different from %s (p = %.2g)", name, test[1]));
            }
            parts.add(method + (monotone(runs, oracle, method, iterations) ? " rises monotonically" : " does not rise monotonically")
                    + (against.isEmpty() ? "" : ", " + String.join(", ", against)));
        }
        boolean held;
        if (oracle.equals("intransitive")) {
            held = methods.stream().filter(m -> m.equals("dno") || m.equals("inpo")).allMatch(m -> monotone(runs, oracle, m, iterations)
                    && !baselines.isEmpty() && baselines.stream().allMatch(b -> {
                        double[] t = tests.get(m + " vs " + b);
                        return t[0] > 0 && t[1] < 0.05;
                    }));
        } else {
            held = tests.values().stream().allMatch(t -> !(t[1] < 0.05));
        }
        String versus = baselines.isEmpty() ? "no baseline run" : String.join(" and ", baselines.stream()
                .map(b -> b.equals("dpo") ? "iterative DPO" : "PPO with a Bradley-Terry reward model").toList());
        String claim = oracle.equals("intransitive") ? "monotone improvement and a win over " + versus : "parity with " + versus;
        // parity means something only if the methods moved at all: some final win rate above 1/2 by its interval over seeds
        boolean anyImproved = methods.stream().anyMatch(m -> {
            double[] w = winRates(runs, oracle, m, iterations);
            return w.length > 1 && Stats.mean(w) - Stats.ci95HalfWidth(w) > 0.5;
        });
        String status = held && !anyImproved && !oracle.equals("intransitive") ? "INCONCLUSIVE" : held ? "HELD" : "NOT HELD";
        return status + " (" + claim + "): " + String.join("; ", parts) + (anyImproved ? "" : "; no method's final win rate is "
                + "above 1/2 by its 95% interval over seeds, so no method measurably improved on the SFT model") + ".";
    }
}
