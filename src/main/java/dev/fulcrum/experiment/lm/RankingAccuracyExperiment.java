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
import dev.fulcrum.lm.iterative.OnPolicyPairs;
import dev.fulcrum.lm.iterative.PolicySampler;
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
import java.util.LinkedHashMap;
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
 * <p>Pair sources ({@code pairs}): {@code oracle}, the oracle's ranked reference-and-corruption responses (off-policy: the
 * SFT model would rarely produce them), and {@code on-policy}, best-vs-worst pairs of {@code K} responses the SFT model
 * samples for the same training problems, ordered by the gold reward with a gap filter ({@link OnPolicyPairs}). Both are
 * trained from the SFT model with it as reference and measured the same way.
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
    /** The pair sources. */
    static final String ORACLE_PAIRS = "oracle", ON_POLICY_PAIRS = "on-policy";

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
     * @param pairs            pair sources ({@code oracle}, {@code on-policy}), each trained with every loss
     * @param onPolicy         how on-policy pairs are made and trained on (used when {@code pairs} has {@code on-policy})
     * @param firstSeed        the first training seed (seeds {@code firstSeed .. firstSeed + seeds - 1}; tuning runs use
     *                         seeds that are not reported)
     * @param evalSeed         problem seed of the win-rate problems
     * @param evalTemperature  0: greedy win-rate responses; above 0: one response per problem sampled at this temperature
     *                         (every model from the same random stream), which shows what a model puts probability on
     *                         beyond its mode
     */
    public record Settings(int seeds, List<String> losses, int perFamily, int heldOutPerFamily, long dataSeed, long steps,
                           int batchSize, double learningRate, int evalPerFamily, int trainSample, List<String> overrides,
                           Path work, Path report, BaseSft.Spec base, List<String> pairs, OnPolicy onPolicy, long firstSeed,
                           long evalSeed, double evalTemperature) {
        public Settings {
            if (!(evalTemperature >= 0) || !Double.isFinite(evalTemperature)) {
                throw new IllegalArgumentException("evalTemperature must be >= 0 (0: greedy), got " + evalTemperature);
            }
            losses = List.copyOf(losses);
            overrides = List.copyOf(overrides);
            pairs = List.copyOf(pairs);
            if (seeds < 1 || losses.isEmpty() || perFamily <= 0 || heldOutPerFamily <= 0 || steps <= 0 || batchSize <= 0
                    || evalPerFamily <= 0 || trainSample <= 0 || firstSeed < 0) {
                throw new IllegalArgumentException("need a seed, a loss, and positive sizes and budgets");
            }
            if (pairs.isEmpty() || pairs.stream().anyMatch(x -> !x.equals(ORACLE_PAIRS) && !x.equals(ON_POLICY_PAIRS))
                    || pairs.stream().distinct().count() != pairs.size()) {
                throw new IllegalArgumentException("pairs must be one or both of " + ORACLE_PAIRS + ", " + ON_POLICY_PAIRS + ", got " + pairs);
            }
            if (pairs.contains(ON_POLICY_PAIRS) && onPolicy == null) {
                throw new IllegalArgumentException("on-policy pairs need their sampling and training settings");
            }
            losses.forEach(RankingAccuracyExperiment::lossSettings); // an unknown loss fails before anything is trained
        }

        /** Greedy win-rate responses. */
        public Settings(int seeds, List<String> losses, int perFamily, int heldOutPerFamily, long dataSeed, long steps, int batchSize,
                        double learningRate, int evalPerFamily, int trainSample, List<String> overrides, Path work, Path report,
                        BaseSft.Spec base, List<String> pairs, OnPolicy onPolicy, long firstSeed, long evalSeed) {
            this(seeds, losses, perFamily, heldOutPerFamily, dataSeed, steps, batchSize, learningRate, evalPerFamily, trainSample,
                    overrides, work, report, base, pairs, onPolicy, firstSeed, evalSeed, 0);
        }

        /** Oracle pairs only, training seeds from 0, the standard win-rate problems. */
        public Settings(int seeds, List<String> losses, int perFamily, int heldOutPerFamily, long dataSeed, long steps, int batchSize,
                        double learningRate, int evalPerFamily, int trainSample, List<String> overrides, Path work, Path report,
                        BaseSft.Spec base) {
            this(seeds, losses, perFamily, heldOutPerFamily, dataSeed, steps, batchSize, learningRate, evalPerFamily, trainSample,
                    overrides, work, report, base, List.of(ORACLE_PAIRS), null, 0, EVAL_PROBLEM_SEED);
        }
    }

    /**
     * On-policy pairs: how they are sampled from the SFT model ({@link OnPolicyPairs.Settings}) and trained on: {@code epochs}
     * passes over them at peak learning rate {@code learningRate} (batch size, schedule and loss as the oracle pairs').
     * {@code promptsPerFamily} training problems per family are sampled for: the oracle pairs' problems first, then (when
     * more) further problems of the same seed after the held-out ones, so the held-out problems stay unseen.
     */
    public record OnPolicy(OnPolicyPairs.Settings sampling, int promptsPerFamily, double epochs, double learningRate) {
        public OnPolicy {
            if (sampling == null || promptsPerFamily <= 0 || !(epochs > 0) || !(learningRate > 0)) {
                throw new IllegalArgumentException("on-policy training needs sampling settings, positive prompts per family, epochs "
                        + "and learning rate");
            }
        }

        long steps(int pairs, int batchSize) {
            return Math.max(1, (long) Math.ceil(epochs * pairs / batchSize));
        }
    }

    /** One family's win rate against SFT and mean gold reward of one model. */
    public record FamilyScore(String family, double winRate, double goldReward) {
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

    /**
     * One model (the SFT model, or a trained policy of one loss, pair source and seed); {@code train} is diagnosed on
     * the training pairs of its pair source (the SFT model has one row per source).
     */
    public record Measured(String model, String loss, long seed, Diagnosed heldOut, Diagnosed train, double winRateVsSft,
                           double winLo, double winHi, double meanGoldReward, double trainSeconds, double klToReference,
                           String pairs, List<FamilyScore> families) {
        public Measured {
            families = List.copyOf(families);
        }

        /** A model of the oracle pairs, without per-family numbers. */
        public Measured(String model, String loss, long seed, Diagnosed heldOut, Diagnosed train, double winRateVsSft, double winLo,
                        double winHi, double meanGoldReward, double trainSeconds, double klToReference) {
            this(model, loss, seed, heldOut, train, winRateVsSft, winLo, winHi, meanGoldReward, trainSeconds, klToReference,
                    ORACLE_PAIRS, List.of());
        }

        boolean onPolicy() {
            return pairs.equals(ON_POLICY_PAIRS);
        }
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
            case "rpo" -> List.of("preference.loss=sigmoid", "preference.beta=0.1", "preference.rpoAlpha=1.0");
            default -> throw new IllegalArgumentException("unknown loss '" + loss + "' (sigmoid, ipo, simpo, robust, hinge, rpo)");
        };
    }

    public static Outcome run(Settings s, boolean progress) {
        return run(s, BaseSft.cacheRoot(), progress);
    }

    /** The experiment with the base model cached under {@code baseCache} (tests use a temporary folder). */
    public static Outcome run(Settings s, Path baseCache, boolean progress) {
        long t0 = System.nanoTime();
        Path base = BaseSft.obtain(s.base(), baseCache, progress);
        Path sftModel = base.resolve(LmTrainer.MODEL_DIR);
        // the held-in families the base model was trained on (all of them for the standard base)
        List<String> families = TaskSuite.select(s.base().families()).stream()
                .filter(f -> f.split() == dev.fulcrum.lm.task.Split.IN_DISTRIBUTION).map(TaskFamily::name).toList();

        // data: every pair of each problem's ranked responses, Bradley-Terry labels at t = 0.1
        BradleyTerryOracle oracle = new BradleyTerryOracle(0.1);
        List<OracleDatasets.Source> all = OracleDatasets.sources(families, s.dataSeed(), s.perFamily() + s.heldOutPerFamily());
        List<OracleDatasets.Source> trainSources = all.stream().filter(x -> x.index() < s.perFamily()).toList();
        List<OracleDatasets.Source> heldSources = all.stream().filter(x -> x.index() >= s.perFamily()).toList();
        List<PreferenceExample> train = OracleDatasets.preferences(trainSources, oracle, new Rng(s.dataSeed()).split("labels"), false);
        List<PreferenceExample> heldOut = OracleDatasets.preferences(heldSources, oracle,
                new Rng(s.dataSeed()).split("held-out-labels"), false);
        Map<String, Path> trainFiles = new LinkedHashMap<>();
        Map<String, List<PreferenceExample>> trainPairs = new LinkedHashMap<>();
        Map<String, List<PreferenceExample>> trainSamples = new LinkedHashMap<>();
        OnPolicyPairs.Stats onPolicyStats = null;
        for (String source : s.pairs()) {
            List<PreferenceExample> rows;
            Path file;
            if (source.equals(ORACLE_PAIRS)) {
                rows = train;
                file = s.work().resolve("data/train.jsonl");
                PreferenceJsonl.write(file, rows, PreferenceFormat.STANDARD);
            } else {
                OnPolicyPairs.Built built = onPolicyPairs(s, sftModel, onPolicyProblems(s, families), oracle);
                rows = built.pairs();
                onPolicyStats = built.stats();
                file = s.work().resolve("data/on-policy.jsonl");
            }
            trainFiles.put(source, file);
            trainPairs.put(source, rows);
            int[] order = new Rng(s.dataSeed()).split(source.equals(ORACLE_PAIRS) ? "train-sample" : "on-policy-train-sample")
                    .permutation(rows.size());
            trainSamples.put(source, Arrays.stream(order, 0, Math.min(s.trainSample(), rows.size())).mapToObj(rows::get).toList());
        }
        PreferenceJsonl.write(s.work().resolve("data/heldout.jsonl"), heldOut, PreferenceFormat.STANDARD);
        List<Problem> problems = new ArrayList<>();
        for (String f : families) {
            problems.addAll(TaskSuite.problems(TaskSuite.family(f), s.evalSeed(), s.evalPerFamily()));
        }
        List<String> prompts = problems.stream().map(Problem::prompt).toList();
        System.out.printf(Locale.ROOT, "data: %d training pairs (%d problems), %d held-out pairs (%d problems); %d evaluation problems%n",
                train.size(), trainSources.size(), heldOut.size(), heldSources.size(), problems.size());

        Evaluated sft = evaluate(sftModel, heldOut, trainSamples, prompts, s.evalTemperature());
        List<Measured> models = new ArrayList<>();
        for (String source : s.pairs()) {
            models.add(new Measured("sft", "-", -1, sft.diagnose(sft, true, source), sft.diagnose(sft, false, source), 0.5, 0.5, 0.5,
                    goldReward(problems, sft.responses()), 0, 0, source, familyScores(problems, sft.responses(), null)));
        }
        for (String source : s.pairs()) {
            boolean onPolicy = source.equals(ON_POLICY_PAIRS);
            long steps = onPolicy ? s.onPolicy().steps(trainPairs.get(source).size(), s.batchSize()) : s.steps();
            double learningRate = onPolicy ? s.onPolicy().learningRate() : s.learningRate();
            for (String loss : s.losses()) {
                for (long seed = s.firstSeed(); seed < s.firstSeed() + s.seeds(); seed++) {
                    String name = loss + (onPolicy ? "-on-policy" : "") + "-seed" + seed;
                    Path run = s.work().resolve("runs/" + name);
                    if (!Files.isRegularFile(run.resolve("summary.json"))) {
                        List<String> o = new ArrayList<>(List.of("data=" + trainFiles.get(source), "init=" + sftModel, "seed=" + seed,
                                "steps=" + steps, "batchSize=" + s.batchSize(), "optimizer.learningRate=" + learningRate,
                                "optimizer.minLearningRate=" + learningRate / 10, "optimizer.warmupSteps=" + Math.max(1, steps / 10),
                                "logEvery=10", "evalEvery=" + steps, "checkpointEvery=" + steps, "keepCheckpoints=1",
                                "preference.heldOutFraction=0", "preference.klSamples=16"));
                        o.addAll(lossSettings(loss));
                        o.addAll(s.overrides());
                        LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("dpo", ModelSpec.tiny()), null, o);
                        if (Files.exists(run)) {
                            dev.fulcrum.core.io.AtomicFiles.deleteTree(run); // an unfinished run of an earlier attempt
                        }
                        new LmTrainer(cfg, run).progressBar(progress).fit();
                    }
                    JsonNode summary = readJson(run.resolve("summary.json"));
                    Evaluated policy = evaluate(run.resolve(LmTrainer.MODEL_DIR), heldOut, Map.of(source, trainSamples.get(source)), prompts,
                            s.evalTemperature());
                    WinRateEvaluation.Result win = WinRateEvaluation.compare(problems, policy.responses(), sft.responses(), "sft", oracle,
                            2000, new Rng(seed).split("bootstrap"));
                    Measured m = new Measured(name, loss, seed, policy.diagnose(sft, true, source), policy.diagnose(sft, false, source),
                            win.winRate().estimate(), win.winRate().lo(), win.winRate().hi(), goldReward(problems, policy.responses()),
                            summary.path("seconds").asDouble(), summary.path("final_evaluation").path("kl_to_reference").asDouble(Double.NaN),
                            source, familyScores(problems, policy.responses(), win));
                    models.add(m);
                    System.out.printf(Locale.ROOT, "%s: held-out ranking accuracy %.3f (sft %.3f, idealised %.3f), flipped %d/%d wrong training "
                                    + "pairs, win rate vs sft %.3f [%.3f, %.3f], gold reward %.3f (sft %.3f), %.0f s training%n", m.model(),
                            m.heldOut().rankingAccuracy(), sft.diagnose(sft, true, source).rankingAccuracy(), m.heldOut().idealised(),
                            m.train().flippedToRight(), m.train().referenceWrong(), m.winRateVsSft(), m.winLo(), m.winHi(),
                            m.meanGoldReward(), models.getFirst().meanGoldReward(), m.trainSeconds());
                }
            }
        }
        double minutes = (System.nanoTime() - t0) / 60e9;
        List<String> verdicts = new ArrayList<>(verdicts(models, s.losses().getFirst()));
        s.losses().stream().skip(1).forEach(other -> verdicts.addAll(winVerdicts(models, other)));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("models", models);
        results.put("verdicts", verdicts);
        if (onPolicyStats != null) {
            results.put("on_policy_pairs", onPolicyStats);
        }
        AtomicFiles.writeString(s.work().resolve("results.json"), Json.pretty(results) + "\n");
        RankingAccuracyReport.write(s, base, models, verdicts, new RankingAccuracyReport.Data(train.size(), heldOut.size(),
                trainSamples.values().iterator().next().size(), problems.size(), onPolicyStats, minutes));
        return new Outcome(models, verdicts);
    }

    /** The SFT model's samples for the on-policy pairs, as stored in {@code WORK/data/on-policy-samples.json}. */
    record StoredSamples(Map<String, Object> key, List<List<String>> samples, double samplesPerSecond) {
    }

    /**
     * The on-policy pairs of the training problems. The SFT model's samples (random stream {@code on-policy-samples} of the
     * data seed) are read back from {@code WORK/data/on-policy-samples.json} when it records the same model, sampling
     * settings and problems, otherwise sampled and written there; the pairs (gap filter applied) go to
     * {@code WORK/data/on-policy.jsonl}.
     */
    private static OnPolicyPairs.Built onPolicyPairs(Settings s, Path sftModel, List<Problem> problems, BradleyTerryOracle oracle) {
        OnPolicyPairs.Settings sampling = s.onPolicy().sampling();
        Path file = s.work().resolve("data/on-policy.jsonl"), stored = s.work().resolve("data/on-policy-samples.json");
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("model", sftModel.toString());
        key.put("samplesPerPrompt", sampling.samplesPerPrompt());
        key.put("temperature", sampling.temperature());
        key.put("maxNewTokens", sampling.maxNewTokens());
        key.put("maxToolCalls", sampling.maxToolCalls());
        key.put("batchSize", sampling.batchSize());
        key.put("dataSeed", s.dataSeed());
        key.put("prompts", problems.stream().map(Problem::prompt).toList());
        StoredSamples samples = null;
        if (Files.isRegularFile(stored)) {
            try {
                StoredSamples read = Json.MAPPER.readValue(stored.toFile(), StoredSamples.class);
                if (Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(read.key()))
                        .equals(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(key)))) { // numbers compared as parsed
                    samples = read;
                    System.out.printf(Locale.ROOT, "on-policy pairs: samples read back from %s%n", stored);
                }
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(stored + ": not a samples file (" + e.getMessage() + "); delete it to sample again", e);
            }
        }
        if (samples == null) {
            try (PolicySampler sampler = new PolicySampler(sftModel)) {
                PolicySampler.Samples drawn = sampler.sample(problems, sampling.samplesPerPrompt(), sampling.sampling(),
                        new Rng(s.dataSeed()).split("on-policy-samples"));
                samples = new StoredSamples(key, drawn.responses(), drawn.samplesPerSecond());
            }
            AtomicFiles.writeString(stored, Json.pretty(samples) + "\n");
        }
        OnPolicyPairs.Built built = OnPolicyPairs.fromSamples(problems, samples.samples(), sampling.minGap(), sampling.minChosenReward(),
                oracle, samples.samplesPerSecond());
        if (built.pairs().isEmpty()) {
            throw new IllegalStateException("no training problem gave an on-policy pair (all " + sampling.samplesPerPrompt()
                    + " samples within the gap " + sampling.minGap() + "); sample more per prompt or lower the gap");
        }
        PreferenceJsonl.write(file, built.pairs(), PreferenceFormat.STANDARD);
        OnPolicyPairs.Stats st = built.stats();
        System.out.printf(Locale.ROOT, "on-policy pairs: %d of %d problems (%d samples at %.1f/s); gold reward of samples %.3f, best of K %.3f, "
                        + "worst of K %.3f, mean pair gap %.3f%n", st.pairs(), st.prompts(), st.samples(), st.samplesPerSecond(),
                st.meanSampleReward(), st.meanBestReward(), st.meanWorstReward(), st.meanPairGap());
        return built;
    }

    /**
     * The on-policy training problems of each family: indices {@code 0 .. min(P, perFamily) - 1} of the data seed (the
     * oracle pairs' problems), then {@code perFamily + heldOutPerFamily ..} for the rest of the {@code P} (past the held-out ones).
     */
    static List<Problem> onPolicyProblems(Settings s, List<String> families) {
        int wanted = s.onPolicy().promptsPerFamily();
        List<Problem> out = new ArrayList<>();
        for (String f : families) {
            for (int j = 0; j < wanted; j++) {
                int index = j < s.perFamily() ? j : j + s.heldOutPerFamily();
                out.add(TaskSuite.problem(f, s.dataSeed(), index));
            }
        }
        return out;
    }

    /** A model's sequence scores on the held-out and the sampled training pairs (per pair source), and its greedy responses. */
    record Evaluated(List<PairScoring.Scored> heldOut, Map<String, List<PairScoring.Scored>> train, List<String> responses,
                     List<PreferenceExample> heldOutPairs, Map<String, List<PreferenceExample>> trainPairs) {
        /** Ranking diagnostics of this model against {@code reference}'s scores (held-out pairs, or {@code source}'s training pairs). */
        Diagnosed diagnose(Evaluated reference, boolean onHeldOut, String source) {
            List<PairScoring.Scored> mine = onHeldOut ? heldOut : train.get(source), ref = onHeldOut ? reference.heldOut : reference.train.get(source);
            List<PreferenceExample> pairs = onHeldOut ? heldOutPairs : trainPairs.get(source);
            List<RankingDiagnostics.Pair> d = new ArrayList<>();
            for (int i = 0; i < mine.size(); i++) {
                var share = pairs.get(i).extra().get("p_chosen");
                d.add(new RankingDiagnostics.Pair(mine.get(i).chosen(), mine.get(i).rejected(), ref.get(i).chosen(), ref.get(i).rejected(),
                        mine.get(i).chosenTokens(), mine.get(i).rejectedTokens(), share != null && share.isNumber() ? share.asDouble() : 1.0));
            }
            return Diagnosed.of(RankingDiagnostics.report(d, IDEALISED_BETA, IDEALISED_EPSILON));
        }
    }

    private static Evaluated evaluate(Path modelDir, List<PreferenceExample> heldOut, Map<String, List<PreferenceExample>> train,
                                      List<String> prompts, double temperature) {
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
            Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
            try {
                List<PairScoring.Scored> h = PairScoring.score(model, tokenizer, manager, heldOut, 32);
                Map<String, List<PairScoring.Scored>> t = new LinkedHashMap<>();
                for (var e : train.entrySet()) {
                    t.put(e.getKey(), PairScoring.score(model, tokenizer, manager, e.getValue(), 32));
                }
                ResponseGenerator.Settings decoding = temperature == 0 ? ResponseGenerator.Settings.greedy(160, 4, 64)
                        : new ResponseGenerator.Settings(160, 4, temperature, 0, 1, 64);
                List<String> responses = new ResponseGenerator(model, tokenizer).respond(manager, prompts, decoding,
                        new Rng(0).split("win-rate-samples"));
                return new Evaluated(h, t, responses, heldOut, train);
            } finally {
                TokenizerFiles.close(tokenizer);
            }
        }
    }

    /** Per family: the win rate against SFT ({@code win}'s; 1/2 when null: the SFT model itself) and the mean gold reward. */
    private static List<FamilyScore> familyScores(List<Problem> problems, List<String> responses, WinRateEvaluation.Result win) {
        Map<String, double[]> gold = new LinkedHashMap<>();
        for (int i = 0; i < problems.size(); i++) {
            double[] sumCount = gold.computeIfAbsent(problems.get(i).family(), k -> new double[2]);
            sumCount[0] += problems.get(i).score(responses.get(i));
            sumCount[1]++;
        }
        List<FamilyScore> out = new ArrayList<>();
        for (var e : gold.entrySet()) {
            double w = win == null ? 0.5 : win.families().stream().filter(f -> f.family().equals(e.getKey())).findFirst()
                    .orElseThrow().winRate();
            out.add(new FamilyScore(e.getKey(), w, e.getValue()[0] / e.getValue()[1]));
        }
        return out;
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

    /** The three verdicts about {@code loss} (DPO), for each pair source trained (oracle pairs first). */
    static List<String> verdicts(List<Measured> models, String loss) {
        List<String> v = new ArrayList<>();
        for (String source : List.of(ORACLE_PAIRS, ON_POLICY_PAIRS)) {
            List<Measured> runs = models.stream().filter(m -> m.loss().equals(loss) && m.pairs().equals(source)).toList();
            if (!runs.isEmpty()) {
                v.addAll(verdictsOf(runs, source.equals(ORACLE_PAIRS) ? loss : loss + " on on-policy pairs"));
            }
        }
        return v;
    }

    private static List<String> verdictsOf(List<Measured> runs, String label) {
        double[] flipped = runs.stream().mapToDouble(m -> m.train().shareFlippedToRight()).toArray();
        double[] gap = runs.stream().mapToDouble(m -> m.heldOut().alignmentGap()).toArray();
        double[] win = runs.stream().mapToDouble(Measured::winRateVsSft).toArray();
        List<String> v = new ArrayList<>();
        double f = Stats.mean(flipped), fh = Stats.ci95HalfWidth(flipped);
        v.add(String.format(Locale.ROOT, "(a) %s flips %.1f%% ± %.1f of the training pairs the reference ranks wrongly: %s (the paper: < 10%%)",
                label, 100 * f, 100 * fh, f + fh < 0.10 ? "held" : f - fh >= 0.10 ? "not held" : "inconclusive"));
        double g = Stats.mean(gap), gh = Stats.ci95HalfWidth(gap);
        v.add(String.format(Locale.ROOT, "(b) %sheld-out ranking accuracy below idealised by %.3f ± %.3f: %s (well below: gap >= 0.1 with "
                + "its interval above 0)", runs.getFirst().onPolicy() ? label + ": " : "", g, gh, g >= 0.1 && g - gh > 0 ? "held" : "not held"));
        v.add(winVerdict(win, label));
        return v;
    }

    /** Verdict (c) alone for a further loss, per pair source. */
    static List<String> winVerdicts(List<Measured> models, String loss) {
        List<String> v = new ArrayList<>();
        for (String source : List.of(ORACLE_PAIRS, ON_POLICY_PAIRS)) {
            double[] win = models.stream().filter(m -> m.loss().equals(loss) && m.pairs().equals(source))
                    .mapToDouble(Measured::winRateVsSft).toArray();
            if (win.length > 0) {
                v.add(winVerdict(win, source.equals(ORACLE_PAIRS) ? loss : loss + " on on-policy pairs"));
            }
        }
        return v;
    }

    private static String winVerdict(double[] win, String label) {
        double w = Stats.mean(win), wh = Stats.ci95HalfWidth(win);
        return String.format(Locale.ROOT, "(c) %s's oracle win rate against SFT on held-in problems %.3f ± %.3f: %s", label, w, wh,
                w - wh > 0.5 ? "held (DPO beats SFT)" : w + wh < 0.5 ? "not held (SFT is better)" : "not held (no significant difference)");
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

}
