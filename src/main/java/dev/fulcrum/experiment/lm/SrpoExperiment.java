package dev.fulcrum.experiment.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.Split;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelSpec;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.SelfRevision;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The SRPO claim (Choi et al. 2024): a model trained with SRPO, revising its own answers, beats DPO on held-out tasks, and
 * the gap grows with the number of revisions.
 *
 * <p>From the shared SFT base ({@link BaseSft.Spec#standard()}), per seed {@code s}: Bradley-Terry-labelled preference
 * pairs (oracle temperature 0.1) of the reference answers and their graded corruptions on fresh problems of the held-in
 * families (problem seed {@code 100 + s}); DPO and SRPO each trained on the same pairs with the same budget. Evaluation on
 * fresh problems (seed 1000003) of the held-in and the held-out families: greedy first answers and {@code rounds} greedy
 * self-revisions ({@link SelfRevision}, the same revision prompt for every model), each round's responses judged against
 * the SFT model's first answers by the Bradley-Terry oracle ({@code P(response > SFT's)}, averaged within families, then
 * over families), and by mean gold reward. Intervals are Student-t 95% over seeds; SRPO - DPO is paired by seed.
 */
public final class SrpoExperiment {
    private static final double ORACLE_TEMPERATURE = 0.1;
    /** Response budget in evaluation: the longest reference answer of the default families is under 40 bytes. */
    private static final int MAX_NEW_TOKENS = 64;

    /**
     * @param base           the SFT model both methods start from (and are anchored to)
     * @param heldIn         families whose pairs are trained on
     * @param heldOut        families evaluated only
     * @param pairProblems   problems per held-in family that pairs are made from (up to {@code steps * batchSize} pairs used)
     * @param seeds          seeds (0..seeds-1)
     * @param steps          optimiser updates per run
     * @param batchSize      pairs per update
     * @param rounds         revision rounds evaluated after the first answer
     * @param evalProblems   evaluation problems per family
     * @param overrides      training settings for both methods ({@code key=value})
     * @param srpoOverrides  further settings of the SRPO runs
     * @param dpoOverrides   further settings of the DPO runs
     */
    public record Settings(BaseSft.Spec base, List<String> heldIn, List<String> heldOut, int pairProblems, int seeds, long steps, int batchSize,
                           int rounds, int evalProblems, List<String> overrides, List<String> srpoOverrides,
                           List<String> dpoOverrides, Path work, Path report) {
        public Settings {
            if (seeds < 2) {
                throw new IllegalArgumentException("--seeds must be at least 2 for intervals, got " + seeds);
            }
            if (rounds < 0 || steps <= 0 || batchSize <= 0 || pairProblems <= 0 || evalProblems <= 0) {
                throw new IllegalArgumentException("--rounds must be >= 0; --steps, --batch-size, --pair-problems and "
                        + "--eval-problems positive");
            }
            for (String f : heldIn) {
                if (TaskSuite.family(f).split() != Split.IN_DISTRIBUTION) {
                    throw new IllegalArgumentException("held-in family " + f + " is not an in-distribution family");
                }
            }
            for (String f : heldOut) {
                if (TaskSuite.family(f).split() != Split.HELD_OUT) {
                    throw new IllegalArgumentException("held-out family " + f + " is not a held-out family");
                }
            }
        }
    }

    /** One evaluated model: per round, the win rate against SFT's first answers and the mean gold reward, per split. */
    record Scores(double[] winHeldIn, double[] winHeldOut, double[] goldHeldIn, double[] goldHeldOut, List<String> sampleLines) {
    }

    /** Seeds' scores of one method. */
    record MethodScores(String method, List<Scores> seeds, List<Double> trainSeconds) {
        double[] at(int round, boolean heldOut, boolean win) {
            return seeds.stream().mapToDouble(s -> (win ? (heldOut ? s.winHeldOut() : s.winHeldIn())
                    : (heldOut ? s.goldHeldOut() : s.goldHeldIn()))[round]).toArray();
        }
    }

    public record Outcome(boolean held, String verdict) {
    }

    private SrpoExperiment() {
    }

    public static Outcome run(Settings s, boolean progress) {
        Path base = BaseSft.obtain(s.base(), progress);
        Path baseModel = base.resolve(LmTrainer.MODEL_DIR);
        List<Problem> problems = new ArrayList<>();
        for (String f : concat(s.heldIn(), s.heldOut())) {
            problems.addAll(TaskSuite.problems(TaskSuite.family(f), 1_000_003, s.evalProblems()));
        }
        long t0 = System.nanoTime();
        Evaluation eval = new Evaluation(problems, s.rounds());
        Scores sft = eval.score(baseModel, null);
        double sftSeconds = (System.nanoTime() - t0) / 1e9;
        MethodScores srpo = new MethodScores("SRPO", new ArrayList<>(), new ArrayList<>());
        MethodScores dpo = new MethodScores("DPO", new ArrayList<>(), new ArrayList<>());
        Outcome outcome = null;
        for (int seed = 0; seed < s.seeds(); seed++) {
            Path data = pairs(s, seed);
            for (MethodScores m : List.of(dpo, srpo)) {
                boolean isSrpo = m == srpo;
                Path runDir = s.work().resolve((isSrpo ? "srpo" : "dpo") + "-seed" + seed);
                double seconds = train(s, isSrpo, seed, data, baseModel, runDir, progress);
                m.trainSeconds().add(seconds);
                m.seeds().add(eval.score(runDir.resolve(LmTrainer.MODEL_DIR), sft));
                System.out.printf(Locale.ROOT, "%s seed %d: trained in %.0f s; held-out win rate by round %s%n", m.method(), seed,
                        seconds, fmt(m.seeds().getLast().winHeldOut()));
            }
            // the report is rewritten after every seed, so an interrupted experiment leaves the seeds it finished
            outcome = report(s, sft, srpo, dpo, sftSeconds, (System.nanoTime() - t0) / 1e9);
        }
        return outcome;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** The seed's preference pairs: BT labels on fresh held-in problems, shuffled, at most steps * batchSize of them. */
    private static Path pairs(Settings s, int seed) {
        Path file = s.work().resolve("pairs-seed" + seed + ".jsonl");
        List<PreferenceExample> all = OracleDatasets.preferences(OracleDatasets.sources(s.heldIn(), 100 + seed, s.pairProblems()),
                new BradleyTerryOracle(ORACLE_TEMPERATURE), new Rng(seed).split("labels"), false);
        int[] order = new Rng(seed).split("subsample").permutation(all.size());
        int keep = (int) Math.min(all.size(), s.steps() * s.batchSize());
        List<PreferenceExample> used = new ArrayList<>(keep);
        for (int i = 0; i < keep; i++) {
            used.add(all.get(order[i]));
        }
        PreferenceJsonl.write(file, used, PreferenceFormat.STANDARD);
        return file;
    }

    /** Trains one run (or finds it finished); returns its training seconds. */
    private static double train(Settings s, boolean srpo, int seed, Path data, Path init, Path runDir, boolean progress) {
        if (Files.isRegularFile(runDir.resolve("summary.json")) && Files.isDirectory(runDir.resolve(LmTrainer.MODEL_DIR))) {
            return summary(runDir).path("seconds").asDouble(Double.NaN);
        }
        List<String> o = new ArrayList<>(List.of("data=" + data, "init=" + init, "tokenizer=auto", "seed=" + seed,
                "steps=" + s.steps(), "batchSize=" + s.batchSize(), "logEvery=" + Math.max(1, s.steps() / 10),
                "evalEvery=" + s.steps(), "checkpointEvery=" + s.steps(), "keepCheckpoints=1"));
        o.addAll(s.overrides());
        o.addAll(srpo ? s.srpoOverrides() : s.dpoOverrides());
        LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults(srpo ? "srpo" : "dpo", ModelSpec.small()),
                null, o);
        LmTrainer.Result r = new LmTrainer(cfg, runDir).progressBar(progress).fit();
        return summary(r.runDir()).path("seconds").asDouble(Double.NaN);
    }

    private static com.fasterxml.jackson.databind.JsonNode summary(Path runDir) {
        try {
            return Json.COMPACT.readTree(runDir.resolve("summary.json").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + runDir.resolve("summary.json") + ": " + e.getMessage(), e);
        }
    }

    /** Self-revision rounds of a model on the evaluation problems, judged against the SFT model's first answers. */
    private static final class Evaluation {
        private final List<Problem> problems;
        private final int rounds;
        private List<String> sftFirst;

        Evaluation(List<Problem> problems, int rounds) {
            this.problems = problems;
            this.rounds = rounds;
        }

        /** {@code sft == null}: this is the SFT model, whose first answers become the opponent. */
        Scores score(Path modelDir, Scores sft) {
            SelfRevision.Rounds r;
            try (NDManager manager = Torch.newManager()) {
                DecoderLm model = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
                Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
                r = new SelfRevision(model, tokenizer, 8).run(manager, problems.stream().map(Problem::prompt).toList(), rounds,
                        ResponseGenerator.Settings.greedy(MAX_NEW_TOKENS, 4, 64), new Rng(0));
                TokenizerFiles.close(tokenizer);
            }
            if (sft == null) {
                sftFirst = r.round(0);
            }
            BradleyTerryOracle judge = new BradleyTerryOracle(ORACLE_TEMPERATURE);
            double[][] out = new double[4][rounds + 1];
            for (int k = 0; k <= rounds; k++) {
                Map<String, double[]> win = new LinkedHashMap<>(), gold = new LinkedHashMap<>(); // family -> sum, count
                for (int i = 0; i < problems.size(); i++) {
                    Problem p = problems.get(i);
                    String y = r.round(k).get(i);
                    win.computeIfAbsent(p.family(), f -> new double[2])[0] += judge.probability(p, y, sftFirst.get(i));
                    win.get(p.family())[1]++;
                    gold.computeIfAbsent(p.family(), f -> new double[2])[0] += p.score(y);
                    gold.get(p.family())[1]++;
                }
                out[0][k] = familyMean(win, Split.IN_DISTRIBUTION);
                out[1][k] = familyMean(win, Split.HELD_OUT);
                out[2][k] = familyMean(gold, Split.IN_DISTRIBUTION);
                out[3][k] = familyMean(gold, Split.HELD_OUT);
            }
            List<String> samples = new ArrayList<>();
            java.util.Set<String> shown = new java.util.HashSet<>();
            for (int i = 0; i < problems.size(); i++) {
                Problem p = problems.get(i);
                if (TaskSuite.family(p.family()).split() == Split.HELD_OUT && shown.add(p.family())) { // each held-out family's first
                    StringBuilder b = new StringBuilder("`" + p.prompt().strip() + "` (reference `" + p.reference() + "`):");
                    for (int k = 0; k <= rounds; k++) {
                        b.append(" y").append(k).append(" `").append(r.round(k).get(i).strip()).append("`");
                    }
                    samples.add(b.toString());
                }
            }
            return new Scores(out[0], out[1], out[2], out[3], samples);
        }

        private static double familyMean(Map<String, double[]> byFamily, Split split) {
            double sum = 0;
            int n = 0;
            for (var e : byFamily.entrySet()) {
                if (TaskSuite.family(e.getKey()).split() == split) {
                    sum += e.getValue()[0] / e.getValue()[1];
                    n++;
                }
            }
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    private static Outcome report(Settings s, Scores sft, MethodScores srpo, MethodScores dpo, double sftSeconds, double total) {
        int last = s.rounds();
        int done = srpo.seeds().size();
        double[] gap0 = difference(srpo.at(0, true, true), dpo.at(0, true, true));
        double[] gapK = difference(srpo.at(last, true, true), dpo.at(last, true, true));
        double[] growth = difference(gapK, gap0);
        boolean beats = Stats.mean(gapK) - Stats.ci95HalfWidth(gapK) > 0;
        boolean grows = Stats.mean(growth) - Stats.ci95HalfWidth(growth) > 0;
        boolean held = beats && grows && done == s.seeds();
        String status = done < s.seeds() ? "Not decided (" + done + " of " + s.seeds() + " seeds finished)" : held ? "Held" : "Not held";
        String verdict = String.format(Locale.ROOT, "%s: held-out win rate against the SFT model after %d revisions, SRPO - DPO = %+.3f "
                        + "± %.3f (95%% t over %d seeds, paired); the gap after %d revisions minus the gap at the first answer = %+.3f ± %.3f. "
                        + "SRPO %s DPO after revisions, and the gap %s with revisions.",
                status, last, Stats.mean(gapK), Stats.ci95HalfWidth(gapK), done, last, Stats.mean(growth),
                Stats.ci95HalfWidth(growth), beats ? "beats" : "does not reliably beat", grows ? "grows" : "does not reliably grow");

        StringBuilder md = new StringBuilder();
        md.append("# SRPO with self-revision vs DPO (held-in and held-out task families)\n\n");
        md.append("Claim (Choi et al. 2024, \"Self-Improving Robust Preference Optimization\"): a model trained with SRPO and "
                + "asked to revise its own answers beats DPO on out-of-distribution tasks, and the gap grows with the number of "
                + "revisions.\n\n");
        md.append("**Verdict: ").append(verdict).append("**\n\n");
        md.append("## Set-up\n\n");
        BaseSft.Spec b = s.base();
        md.append(b.equals(BaseSft.Spec.standard())
                ? "* Base: the shared SFT model (`BaseSft.Spec.standard()`: 'small' Llama, 0.84M parameters, byte tokenizer, "
                        + "2500 updates on 1000 problems of each held-in family)."
                : String.format(Locale.ROOT, "* Base: an SFT model like the shared one but trained on %s only, %d updates "
                        + "('%s' Llama, byte tokenizer, %d problems per family, %s; `--base-families`, `--base-steps`).",
                        b.families(), b.steps(), b.modelSize(), b.perFamily(), String.join(" ", b.overrides())));
        md.append(" It is the starting point and the frozen reference of both methods, and the opponent of every win rate "
                + "(its greedy first answers).\n");
        md.append("* Training pairs, per seed s: the reference answer and its graded corruptions of ").append(s.pairProblems())
                .append(" fresh problems (problem seed 100+s) of each held-in family (").append(String.join(", ", s.heldIn()))
                .append("), every pair labelled by a Bradley-Terry oracle over the gold reward (temperature 0.1), shuffled, ")
                .append(s.steps() * s.batchSize()).append(" pairs kept; DPO and SRPO train on the same pairs: ").append(s.steps())
                .append(" updates of ").append(s.batchSize()).append(" pairs.\n");
        md.append("* Settings for both: `").append(String.join(" ", s.overrides())).append("`; SRPO: `")
                .append(String.join(" ", s.srpoOverrides())).append("`; DPO: `").append(String.join(" ", s.dpoOverrides()))
                .append("`.\n");
        md.append("* SRPO's reviser reads `x` + `Draft: y` + `Revised:` (`lm.align.RevisionPrompt`); the loss is `lm.align.Srpo` "
                + "(its javadoc says which parts were verified against what). The SFT base never saw a revision prompt; SRPO "
                + "learns to revise only from the pairs (pi(yw | x, yl) against pi(yl | x, yl), and so on).\n");
        md.append("* Evaluation: ").append(s.evalProblems()).append(" fresh problems (seed 1000003) of each held-in and held-out (")
                .append(String.join(", ", s.heldOut())).append(") family; greedy first answer y0, then ").append(last)
                .append(" greedy self-revisions y(k+1) ~ pi(. | x, Draft: y(k)) (`lm.train.SelfRevision`), the same procedure for "
                        + "every model. Win rate = P(y(k) > SFT's y0) under the Bradley-Terry oracle (temperature 0.1; equal "
                        + "gold rewards count 1/2), averaged within each family and then over the split's families. Intervals: "
                        + "Student-t 95% over seeds.\n");
        md.append("* Seeds: 0..").append(done - 1).append(" of the ").append(s.seeds()).append(" planned").append(" (training data, data order; the evaluation problems are the same "
                + "for all).\n\n");
        md.append("## Held-out families: win rate against the SFT model's first answers\n\n");
        md.append(table(s, sft, srpo, dpo, true, true));
        md.append("\n## Held-in families: win rate against the SFT model's first answers\n\n");
        md.append(table(s, sft, srpo, dpo, false, true));
        md.append("\n## Mean gold reward (held-out | held-in)\n\n");
        md.append("| round | SFT held-out | DPO held-out | SRPO held-out | SFT held-in | DPO held-in | SRPO held-in |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (int k = 0; k <= last; k++) {
            md.append(String.format(Locale.ROOT, "| %d | %.3f | %s | %s | %.3f | %s | %s |%n", k, sft.goldHeldOut()[k],
                    meanCi(dpo.at(k, true, false)), meanCi(srpo.at(k, true, false)), sft.goldHeldIn()[k],
                    meanCi(dpo.at(k, false, false)), meanCi(srpo.at(k, false, false))));
        }
        md.append("\n## SRPO - DPO on held-out families, paired by seed\n\n| round | difference | per seed |\n|---|---|---|\n");
        for (int k = 0; k <= last; k++) {
            double[] d = difference(srpo.at(k, true, true), dpo.at(k, true, true));
            md.append(String.format(Locale.ROOT, "| %d | %s | %s |%n", k, meanCi(d), fmt(d)));
        }
        md.append("\n![win rate by revision round](").append(plotName(s.report())).append(")\n\n");
        md.append("## Examples (seed 0, held-out problems)\n\n");
        md.append("SFT:\n\n");
        sft.sampleLines().forEach(l -> md.append("* ").append(l).append('\n'));
        md.append("\nDPO:\n\n");
        dpo.seeds().getFirst().sampleLines().forEach(l -> md.append("* ").append(l).append('\n'));
        md.append("\nSRPO:\n\n");
        srpo.seeds().getFirst().sampleLines().forEach(l -> md.append("* ").append(l).append('\n'));
        md.append(String.format(Locale.ROOT, "%n## Cost%n%nTraining seconds per run (wall clock, on a shared 2-core machine): "
                        + "DPO %s, SRPO %s; SFT evaluation %.0f s; the whole experiment %.0f s (the base model not counted: it is "
                        + "cached).%n", fmt(dpo.trainSeconds()), fmt(srpo.trainSeconds()), sftSeconds, total));
        md.append("\n## Command\n\n```bash\nbin/fulcrum experiment srpo").append(commandArgs(s)).append("\n```\n");
        AtomicFiles.writeString(s.report(), md.toString());
        plot(s, sft, srpo, dpo, s.report().resolveSibling(plotName(s.report())));
        return new Outcome(held, verdict);
    }

    /** The chart beside the report: {@code srpo.md} -> {@code srpo.png}. */
    private static String plotName(Path report) {
        String name = report.getFileName().toString();
        return (name.endsWith(".md") ? name.substring(0, name.length() - 3) : name) + ".png";
    }

    private static String commandArgs(Settings s) {
        StringBuilder b = new StringBuilder();
        if (!s.base().equals(BaseSft.Spec.standard())) {
            b.append(" --base-families ").append(s.base().families()).append(" --base-steps ").append(s.base().steps());
        }
        b.append(" --held-in ").append(String.join(",", s.heldIn())).append(" --held-out ").append(String.join(",", s.heldOut()));
        b.append(" --pair-problems ").append(s.pairProblems()).append(" --seeds ").append(s.seeds()).append(" --steps ").append(s.steps())
                .append(" --batch-size ").append(s.batchSize()).append(" --rounds ").append(s.rounds()).append(" --eval-problems ")
                .append(s.evalProblems());
        s.overrides().forEach(o -> b.append(" --set ").append(o));
        b.append(" --work ").append(s.work()).append(" --report ").append(s.report());
        s.srpoOverrides().forEach(o -> b.append(" --srpo-set ").append(o));
        s.dpoOverrides().forEach(o -> b.append(" --dpo-set ").append(o));
        return b.toString();
    }

    private static String table(Settings s, Scores sft, MethodScores srpo, MethodScores dpo, boolean heldOut, boolean win) {
        StringBuilder b = new StringBuilder("| round | SFT (revising itself) | DPO | SRPO | DPO per seed | SRPO per seed |\n"
                + "|---|---|---|---|---|---|\n");
        for (int k = 0; k <= s.rounds(); k++) {
            double sftValue = (heldOut ? sft.winHeldOut() : sft.winHeldIn())[k];
            b.append(String.format(Locale.ROOT, "| %d | %.3f | %s | %s | %s | %s |%n", k, sftValue, meanCi(dpo.at(k, heldOut, win)),
                    meanCi(srpo.at(k, heldOut, win)), fmt(dpo.at(k, heldOut, win)), fmt(srpo.at(k, heldOut, win))));
        }
        return b.toString();
    }

    private static void plot(Settings s, Scores sft, MethodScores srpo, MethodScores dpo, Path png) {
        List<XYChart> charts = new ArrayList<>();
        double[] rounds = new double[s.rounds() + 1];
        for (int k = 0; k <= s.rounds(); k++) {
            rounds[k] = k;
        }
        for (boolean heldOut : new boolean[] {true, false}) {
            XYChart c = new XYChartBuilder().width(560).height(380).title((heldOut ? "held-out" : "held-in") + " families")
                    .xAxisTitle("revision round").yAxisTitle("win rate vs SFT first answer").build();
            for (MethodScores m : List.of(dpo, srpo)) {
                double[] mean = new double[rounds.length], err = new double[rounds.length];
                for (int k = 0; k < rounds.length; k++) {
                    mean[k] = Stats.mean(m.at(k, heldOut, true));
                    err[k] = Stats.ci95HalfWidth(m.at(k, heldOut, true));
                }
                c.addSeries(m.method(), rounds, mean, err);
            }
            c.addSeries("SFT", rounds, heldOut ? sft.winHeldOut() : sft.winHeldIn());
            charts.add(c);
        }
        Charts.saveGrid(charts, png);
    }

    private static double[] difference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static String meanCi(double[] v) {
        return String.format(Locale.ROOT, "%.3f ± %.3f", Stats.mean(v), Stats.ci95HalfWidth(v));
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", x));
        }
        return b.toString();
    }

    private static String fmt(List<Double> v) {
        return fmt(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
