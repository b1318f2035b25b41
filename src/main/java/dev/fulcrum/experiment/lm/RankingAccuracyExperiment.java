package dev.fulcrum.experiment.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
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
import dev.fulcrum.lm.diagnostics.PairScoring;
import dev.fulcrum.lm.diagnostics.RankingDiagnostics;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelSpec;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.TokenizerFiles;
import dev.fulcrum.lm.train.WinRateEvaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * The ranking-accuracy claims of Chen et al., "Preference Learning Algorithms Do Not Learn Preference Rankings" (NeurIPS
 * 2024), on the task suite: starting from the shared SFT base model ({@link BaseSft}), DPO and other pair losses are
 * trained on Bradley-Terry-labelled pairs of the held-in families; each trained policy and the SFT model are measured
 * with {@link RankingDiagnostics} against the SFT model as reference (held-out pairs of unseen problems, and a sample of
 * the training pairs) and by the oracle-judged win rate of their greedy responses against the SFT model's on fresh
 * held-in problems ({@link WinRateEvaluation}).
 *
 * <p>Verdicts: (a) DPO flips fewer than 10% of the training pairs the reference ranks wrongly; (b) its ranking accuracy
 * stays well below the idealised one (alignment gap at least 0.1, 95% interval above 0); (c) DPO beats SFT in oracle win
 * rate on held-in problems (95% interval over seeds above 1/2).
 */
public final class RankingAccuracyExperiment {
    /** The beta of the idealised model: DPO's (the optimum every row is compared with). */
    static final double IDEALISED_BETA = 0.1;
    static final double IDEALISED_EPSILON = 1e-3;
    static final long EVAL_PROBLEM_SEED = 1000003;

    /**
     * @param seeds            training seeds per loss
     * @param losses           pair losses (preference.loss), the first is the one the verdicts are about
     * @param perFamily        training problems per held-in family (every pair of a problem's ranked responses)
     * @param heldOutPerFamily further problems per family whose pairs are only evaluated
     * @param dataSeed         problem and label seed (the base model's SFT data uses seed 0)
     * @param steps            updates per run
     * @param batchSize        pairs per update
     * @param learningRate     peak learning rate
     * @param evalPerFamily    fresh held-in problems per family for the win rate
     * @param trainSample      training pairs diagnosed
     * @param overrides        further key=value settings of every run
     */
    public record Settings(int seeds, List<String> losses, int perFamily, int heldOutPerFamily, long dataSeed, long steps,
                           int batchSize, double learningRate, int evalPerFamily, int trainSample, List<String> overrides,
                           Path work, Path report, BaseSft.Spec base) {
        public Settings {
            losses = List.copyOf(losses);
            overrides = List.copyOf(overrides);
            if (seeds < 2 || losses.isEmpty() || perFamily <= 0 || heldOutPerFamily <= 0 || steps <= 0 || batchSize <= 0
                    || evalPerFamily <= 0 || trainSample <= 0) {
                throw new IllegalArgumentException("need at least 2 seeds (for intervals), a loss, and positive sizes and budgets");
            }
            losses.forEach(RankingAccuracyExperiment::lossSettings); // an unknown loss fails before anything is trained
        }
    }

    /** Diagnostics of one model on one pair set. */
    public record Diagnosed(double rankingAccuracy, double lengthNormalised, double idealised, double alignmentGap,
                            double referenceAccuracy, int referenceWrong, int flippedToRight, int referenceRight, int flippedToWrong) {
        static Diagnosed of(RankingDiagnostics.Report r) {
            return new Diagnosed(r.rankingAccuracy(), r.lengthNormalisedRankingAccuracy(), r.idealisedRankingAccuracy(),
                    r.alignmentGap(), r.referenceRankingAccuracy(), r.flips().referenceWrong(), r.flips().flippedToRight(),
                    r.flips().referenceRight(), r.flips().flippedToWrong());
        }

        double shareFlippedToRight() {
            return referenceWrong == 0 ? Double.NaN : (double) flippedToRight / referenceWrong;
        }

        double shareFlippedToWrong() {
            return referenceRight == 0 ? Double.NaN : (double) flippedToWrong / referenceRight;
        }
    }

    /** One model (the SFT model, or a trained policy of one loss and seed). */
    public record Measured(String model, String loss, long seed, Diagnosed heldOut, Diagnosed train, double winRateVsSft,
                           double winLo, double winHi, double meanGoldReward, double trainSeconds, double klToReference) {
    }

    public record Outcome(List<Measured> models, List<String> verdicts) {
    }

    private RankingAccuracyExperiment() {
    }

    /** The preset of each loss: its beta (and gamma). */
    static List<String> lossSettings(String loss) {
        return switch (loss) {
            case "sigmoid" -> List.of("preference.loss=sigmoid", "preference.beta=0.1");
            case "ipo" -> List.of("preference.loss=ipo", "preference.beta=0.5");
            case "simpo" -> List.of("preference.loss=simpo", "preference.beta=2.0", "preference.simpoGamma=0.5");
            case "robust", "hinge" -> List.of("preference.loss=" + loss, "preference.beta=0.1");
            default -> throw new IllegalArgumentException("unknown loss '" + loss + "' (sigmoid, ipo, simpo, robust, hinge)");
        };
    }

    public static Outcome run(Settings s, boolean progress) {
        long t0 = System.nanoTime();
        Path base = BaseSft.obtain(s.base(), progress);
        Path sftModel = base.resolve(LmTrainer.MODEL_DIR);
        List<String> families = TaskSuite.select("in-distribution").stream().map(TaskFamily::name).toList();

        // data: every pair of each problem's ranked responses, Bradley-Terry labels at t = 0.1
        BradleyTerryOracle oracle = new BradleyTerryOracle(0.1);
        List<OracleDatasets.Source> all = OracleDatasets.sources(families, s.dataSeed(), s.perFamily() + s.heldOutPerFamily());
        List<OracleDatasets.Source> trainSources = all.stream().filter(x -> x.index() < s.perFamily()).toList();
        List<OracleDatasets.Source> heldSources = all.stream().filter(x -> x.index() >= s.perFamily()).toList();
        List<PreferenceExample> train = OracleDatasets.preferences(trainSources, oracle, new Rng(s.dataSeed()).split("labels"), false);
        List<PreferenceExample> heldOut = OracleDatasets.preferences(heldSources, oracle,
                new Rng(s.dataSeed()).split("held-out-labels"), false);
        Path trainFile = s.work().resolve("data/train.jsonl");
        PreferenceJsonl.write(trainFile, train, PreferenceFormat.STANDARD);
        PreferenceJsonl.write(s.work().resolve("data/heldout.jsonl"), heldOut, PreferenceFormat.STANDARD);
        int[] sampleOrder = new Rng(s.dataSeed()).split("train-sample").permutation(train.size());
        List<PreferenceExample> trainSample = Arrays.stream(sampleOrder, 0, Math.min(s.trainSample(), train.size()))
                .mapToObj(train::get).toList();
        List<Problem> problems = new ArrayList<>();
        for (String f : families) {
            problems.addAll(TaskSuite.problems(TaskSuite.family(f), EVAL_PROBLEM_SEED, s.evalPerFamily()));
        }
        List<String> prompts = problems.stream().map(Problem::prompt).toList();
        System.out.printf(Locale.ROOT, "data: %d training pairs (%d problems), %d held-out pairs (%d problems); %d evaluation problems%n",
                train.size(), trainSources.size(), heldOut.size(), heldSources.size(), problems.size());

        Evaluated sft = evaluate(sftModel, heldOut, trainSample, prompts);
        List<Measured> models = new ArrayList<>();
        models.add(new Measured("sft", "-", -1, sft.diagnose(sft, true), sft.diagnose(sft, false), 0.5, 0.5, 0.5,
                goldReward(problems, sft.responses()), 0, 0));
        for (String loss : s.losses()) {
            for (int seed = 0; seed < s.seeds(); seed++) {
                Path run = s.work().resolve("runs/" + loss + "-seed" + seed);
                if (!Files.isRegularFile(run.resolve("summary.json"))) {
                    List<String> o = new ArrayList<>(List.of("data=" + trainFile, "init=" + sftModel, "seed=" + seed, "steps=" + s.steps(),
                            "batchSize=" + s.batchSize(), "optimizer.learningRate=" + s.learningRate(),
                            "optimizer.minLearningRate=" + s.learningRate() / 10, "optimizer.warmupSteps=" + Math.max(1, s.steps() / 10),
                            "logEvery=10", "evalEvery=" + s.steps(), "checkpointEvery=" + s.steps(), "keepCheckpoints=1",
                            "preference.heldOutFraction=0", "preference.klSamples=16"));
                    o.addAll(lossSettings(loss));
                    o.addAll(s.overrides());
                    LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("dpo", ModelSpec.tiny()), null, o);
                    if (Files.exists(run)) {
                        deleteRecursively(run); // an unfinished run of an earlier attempt
                    }
                    new LmTrainer(cfg, run).progressBar(progress).fit();
                }
                JsonNode summary = readJson(run.resolve("summary.json"));
                Evaluated policy = evaluate(run.resolve(LmTrainer.MODEL_DIR), heldOut, trainSample, prompts);
                WinRateEvaluation.Result win = WinRateEvaluation.compare(problems, policy.responses(), sft.responses(), "sft", oracle,
                        2000, new Rng(seed).split("bootstrap"));
                Measured m = new Measured(loss + "-seed" + seed, loss, seed, policy.diagnose(sft, true), policy.diagnose(sft, false),
                        win.winRate().estimate(), win.winRate().lo(), win.winRate().hi(), goldReward(problems, policy.responses()),
                        summary.path("seconds").asDouble(), summary.path("final_evaluation").path("kl_to_reference").asDouble(Double.NaN));
                models.add(m);
                System.out.printf(Locale.ROOT, "%s: held-out ranking accuracy %.3f (sft %.3f, idealised %.3f), flipped %d/%d wrong training "
                                + "pairs, win rate vs sft %.3f [%.3f, %.3f], %.0f s training%n", m.model(), m.heldOut().rankingAccuracy(),
                        sft.diagnose(sft, true).rankingAccuracy(), m.heldOut().idealised(), m.train().flippedToRight(),
                        m.train().referenceWrong(), m.winRateVsSft(), m.winLo(), m.winHi(), m.trainSeconds());
            }
        }
        double minutes = (System.nanoTime() - t0) / 60e9;
        List<String> verdicts = verdicts(models, s.losses().getFirst());
        AtomicFiles.writeString(s.work().resolve("results.json"), Json.pretty(Map.of("models", models, "verdicts", verdicts)) + "\n");
        RankingAccuracyReport.write(s, base, models, verdicts, train.size(), heldOut.size(), trainSample.size(), problems.size(), minutes);
        return new Outcome(models, verdicts);
    }

    /** A model's sequence scores on the held-out and the sampled training pairs, and its greedy responses. */
    record Evaluated(List<PairScoring.Scored> heldOut, List<PairScoring.Scored> train, List<String> responses,
                     List<PreferenceExample> heldOutPairs, List<PreferenceExample> trainPairs) {
        /** Ranking diagnostics of this model against {@code reference}'s scores. */
        Diagnosed diagnose(Evaluated reference, boolean onHeldOut) {
            List<PairScoring.Scored> mine = onHeldOut ? heldOut : train, ref = onHeldOut ? reference.heldOut : reference.train;
            List<PreferenceExample> pairs = onHeldOut ? heldOutPairs : trainPairs;
            List<RankingDiagnostics.Pair> d = new ArrayList<>();
            for (int i = 0; i < mine.size(); i++) {
                var share = pairs.get(i).extra().get("p_chosen");
                d.add(new RankingDiagnostics.Pair(mine.get(i).chosen(), mine.get(i).rejected(), ref.get(i).chosen(), ref.get(i).rejected(),
                        mine.get(i).chosenTokens(), mine.get(i).rejectedTokens(), share != null && share.isNumber() ? share.asDouble() : 1.0));
            }
            return Diagnosed.of(RankingDiagnostics.report(d, IDEALISED_BETA, IDEALISED_EPSILON));
        }
    }

    private static Evaluated evaluate(Path modelDir, List<PreferenceExample> heldOut, List<PreferenceExample> train,
                                      List<String> prompts) {
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
            Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
            try {
                List<PairScoring.Scored> h = PairScoring.score(model, tokenizer, manager, heldOut, 32);
                List<PairScoring.Scored> t = PairScoring.score(model, tokenizer, manager, train, 32);
                List<String> responses = new ResponseGenerator(model, tokenizer).respond(manager, prompts,
                        ResponseGenerator.Settings.greedy(160, 4, 64), new Rng(0));
                return new Evaluated(h, t, responses, heldOut, train);
            } finally {
                TokenizerFiles.close(tokenizer);
            }
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return Json.COMPACT.readTree(file.toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static double goldReward(List<Problem> problems, List<String> responses) {
        double sum = 0;
        for (int i = 0; i < problems.size(); i++) {
            sum += problems.get(i).score(responses.get(i));
        }
        return sum / problems.size();
    }

    /** The three verdicts about {@code loss} (DPO). */
    static List<String> verdicts(List<Measured> models, String loss) {
        List<Measured> runs = models.stream().filter(m -> m.loss().equals(loss)).toList();
        double[] flipped = runs.stream().mapToDouble(m -> m.train().shareFlippedToRight()).toArray();
        double[] gap = runs.stream().mapToDouble(m -> m.heldOut().alignmentGap()).toArray();
        double[] win = runs.stream().mapToDouble(Measured::winRateVsSft).toArray();
        List<String> v = new ArrayList<>();
        double f = Stats.mean(flipped), fh = Stats.ci95HalfWidth(flipped);
        v.add(String.format(Locale.ROOT, "(a) %s flips %.1f%% ± %.1f of the training pairs the reference ranks wrongly: %s (the paper: < 10%%)",
                loss, 100 * f, 100 * fh, f + fh < 0.10 ? "held" : f - fh >= 0.10 ? "not held" : "inconclusive"));
        double g = Stats.mean(gap), gh = Stats.ci95HalfWidth(gap);
        v.add(String.format(Locale.ROOT, "(b) held-out ranking accuracy below idealised by %.3f ± %.3f: %s (well below: gap >= 0.1 with "
                + "its interval above 0)", g, gh, g >= 0.1 && g - gh > 0 ? "held" : "not held"));
        double w = Stats.mean(win), wh = Stats.ci95HalfWidth(win);
        v.add(String.format(Locale.ROOT, "(c) %s's oracle win rate against SFT on held-in problems %.3f ± %.3f: %s", loss, w, wh,
                w - wh > 0.5 ? "held (DPO beats SFT)" : w + wh < 0.5 ? "not held (SFT is better)" : "not held (no significant difference)"));
        return v;
    }

    /** The chart of the report: ranking accuracies (held-out) per model with 95% intervals over seeds. */
    static CategoryChart chart(List<String> names, double[][] means, double[][] halfWidths, String[] series, String title, String y) {
        CategoryChart c = new CategoryChartBuilder().width(720).height(420).title(title).yAxisTitle(y).build();
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        for (int k = 0; k < series.length; k++) {
            c.addSeries(series[k], names, Arrays.stream(means[k]).boxed().toList(), Arrays.stream(halfWidths[k]).boxed().toList());
        }
        return c;
    }

    static void saveCharts(List<CategoryChart> charts, Path png) {
        Charts.saveGrid(charts, png);
    }

    private static void deleteRecursively(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
