package dev.fulcrum.lm.iterative;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.WinRateEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Iterative preference optimisation against a preference oracle: DNO, INPO and iterative DPO ({@link IterativeMethod}).
 * Iteration {@code t = 1..T}, starting from {@code pi_0 = init}:
 * <ol>
 *   <li>sample {@code K} responses per fresh prompt from {@code pi_{t-1}} ({@link PolicySampler}: batched, KV cache);</li>
 *   <li>select at most one pair per prompt ({@link PairSelection}: win rate under the oracle for DNO and INPO, the gold
 *       (Bradley-Terry) order for iterative DPO); DNO also mixes in a random share {@code dnoMixDecay^(t-s)} of each
 *       earlier iteration {@code s}'s pairs;</li>
 *   <li>train {@code pi_t} from {@code pi_{t-1}} on the pairs ({@link IterationTrainer}): DNO with DPO anchored at
 *       {@code pi_{t-1}}, INPO with its loss anchored at the reference and {@code pi_{t-1}}, DPO anchored at the reference;</li>
 *   <li>evaluate: {@code P(pi_t > pi_0)} under the oracle on fixed evaluation prompts ({@link PolicyWinRate}).</li>
 * </ol>
 * Layout: {@code OUT/config.json}; {@code OUT/opponent-samples.json} and {@code OUT/iteration-0.json} (the starting
 * model's evaluation samples and its row); per iteration {@code OUT/iteration-t/} with {@code selected.jsonl} (this iteration's
 * own pairs, with the selection scores), {@code pairs.jsonl} (what was trained on), {@code train/} (the trainer's run
 * directory; its {@code model/} is {@code pi_t}) and {@code iteration.json}; {@code OUT/summary.json} with every
 * iteration's row (iteration 0: the starting model against itself, a check of the estimator). Every iteration draws from
 * its own named random stream, so a resumed run ({@link #resume}) reads back the iterations already finished and continues
 * with the numbers an uninterrupted run would have had (an iteration interrupted half-way is run again from its start).
 */
public final class IterativePreferenceLoop {

    /** One iteration's numbers (iteration 0: the starting model). */
    public record Row(int iteration, int prompts, int samples, int pairs, int mixedPairs, double meanPairMargin,
                      double samplesPerSecond, double tokensPerSecond, double trainSeconds, double winRate, double winRateLo,
                      double winRateHi, double goldReward, String model) {
    }

    public record Result(Path out, List<Row> rows) {
    }

    /** The starting model's evaluation samples, the opponent of every iterate (kept so a resumed run reuses them). */
    public static final String OPPONENT_FILE = "opponent-samples.json";

    private final IterateConfig config;
    private final Path out;
    private final IterationTrainer trainer;
    private boolean progress;
    private boolean verbose;
    private boolean resume;

    public IterativePreferenceLoop(IterateConfig config, Path out, IterationTrainer trainer) {
        this.config = config;
        this.out = out;
        this.trainer = trainer;
    }

    public IterativePreferenceLoop progressBar(boolean on) {
        this.progress = on;
        return this;
    }

    /** One line per iteration step on standard error (sampling speed, pairs, win rate). */
    public IterativePreferenceLoop verbose(boolean on) {
        this.verbose = on;
        return this;
    }

    /** Continue the run in {@code out}: iterations already finished are read back, the rest are run. */
    public IterativePreferenceLoop resume(boolean on) {
        this.resume = on;
        return this;
    }

    public Result run() {
        if (config.init().isBlank()) {
            throw new IllegalArgumentException("no starting model: set init (a finished SFT run or a model directory)");
        }
        Path initModel = ModelDirectories.resolve(Path.of(config.init()));
        PreferenceOracle oracle = WinRateEvaluation.oracle(config.oracle(), config.oracleTemperature(), config.cycleWeight());
        IterativeMethod method = config.methodKind();
        PairSelection selection = switch (method) {
            case DNO -> new PairSelection.WinRate(config.dnoMargin());
            case INPO -> new PairSelection.WinRate(0);
            case DPO -> new PairSelection.ScalarReward();
        };
        Path configFile = out.resolve("config.json");
        String resolved = Json.pretty(config);
        try {
            Files.createDirectories(out);
            boolean exists = Files.isRegularFile(configFile);
            if (exists && !resume) {
                throw new IllegalArgumentException(out + " already holds an iterative run; pass --resume to continue it or choose "
                        + "another --out");
            }
            if (exists && !Files.readString(configFile).strip().equals(resolved.strip())) {
                throw new IllegalArgumentException(out + " holds an iterative run with another configuration");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(configFile, resolved);

        Rng master = new Rng(config.seed());
        ResponseGenerator.Settings sampling = new ResponseGenerator.Settings(config.maxNewTokens(), config.maxToolCalls(),
                config.temperature(), 0, 1, config.generationBatch());
        List<Problem> evalProblems = problems(config.evalSeed(), config.evalPromptsPerFamily());
        List<List<String>> opponent;
        List<Row> rows = new ArrayList<>();
        Path opponentFile = out.resolve(OPPONENT_FILE), startFile = out.resolve("iteration-0.json");
        if (Files.isRegularFile(opponentFile) && Files.isRegularFile(startFile)) {
            opponent = readOpponent(opponentFile);
            rows.add(readRow(startFile));
        } else {
            try (PolicySampler base = new PolicySampler(initModel)) {
                opponent = base.sample(evalProblems, config.evalSamples(), sampling, master.split("eval-opponent")).responses();
                PolicySampler.Samples self = base.sample(evalProblems, config.evalSamples(), sampling, master.split("eval-0"));
                rows.add(evaluated(0, 0, self, 0, 0, 0, 0, evalProblems, opponent, oracle, master.split("bootstrap-0"), initModel));
            }
            AtomicFiles.writeString(opponentFile, Json.pretty(opponent));
            AtomicFiles.writeString(startFile, Json.pretty(rows.getFirst()));
        }
        log("iteration 0 (%s): win rate against itself %.3f", initModel, rows.getFirst().winRate());

        Path previous = initModel;
        for (int t = 1; t <= config.iterations(); t++) {
            Path dir = out.resolve("iteration-" + t);
            Path done = dir.resolve("iteration.json");
            if (Files.isRegularFile(done)) {
                Row row = readRow(done);
                rows.add(row);
                previous = Path.of(row.model());
                log("iteration %d: finished earlier, win rate %.3f", t, row.winRate());
                continue;
            }
            dev.fulcrum.core.io.AtomicFiles.deleteTree(dir); // what an interrupted attempt left
            Rng rng = master.split("iteration-" + t);
            List<Problem> problems = problems(config.problemSeed() + t, config.promptsPerFamily());
            PolicySampler.Samples samples;
            try (PolicySampler policy = new PolicySampler(previous)) {
                samples = policy.sample(problems, config.samplesPerPrompt(), sampling, rng.split("samples"));
            }
            List<PairSelection.Pair> own = new ArrayList<>();
            for (int i = 0; i < problems.size(); i++) {
                selection.select(problems.get(i), samples.responses().get(i), oracle).ifPresent(own::add);
            }
            if (own.isEmpty()) {
                throw new IllegalStateException("iteration " + t + ": no prompt gave a pair (all " + config.samplesPerPrompt()
                        + " samples tied or blank); sample more per prompt or lower dnoMargin");
            }
            List<PreferenceExample> selected = own.stream().map(IterativePreferenceLoop::example).toList();
            List<PreferenceExample> training = new ArrayList<>(selected);
            if (method == IterativeMethod.DNO && config.dnoMixDecay() > 0) {
                training.addAll(earlierPairs(t, rng.split("mix")));
            }
            write(dir.resolve("selected.jsonl"), selected);
            write(dir.resolve("pairs.jsonl"), training);
            double margin = own.stream().mapToDouble(PairSelection.Pair::margin).average().orElse(Double.NaN);
            log("iteration %d: %d samples at %.1f samples/s, %d pairs (+%d earlier), mean margin %.3f", t, samples.samples(),
                    samples.samplesPerSecond(), own.size(), training.size() - own.size(), margin);

            long steps = Math.max(1, (long) Math.ceil(config.epochs() * training.size() / config.batchSize()));
            IterationTrainer.Request request = new IterationTrainer.Request(method, dir.resolve("pairs.jsonl"), previous,
                    switch (method) {
                        case DNO -> previous;
                        case INPO, DPO -> initModel;
                    },
                    method == IterativeMethod.INPO ? previous : null, config.eta(), config.tau(), steps, config.batchSize(),
                    config.learningRate(), config.seed() * 1_000 + t, dir.resolve("train"), progress);
            long t0 = System.nanoTime();
            Path trained = ModelDirectories.resolve(trainer.train(request));
            double trainSeconds = (System.nanoTime() - t0) / 1e9;

            Row row;
            try (PolicySampler policy = new PolicySampler(trained)) {
                PolicySampler.Samples eval = policy.sample(evalProblems, config.evalSamples(), sampling, rng.split("eval"));
                row = evaluated(t, problems.size(), samples, own.size(), training.size() - own.size(), margin, trainSeconds,
                        evalProblems, opponent, oracle, rng.split("bootstrap"), trained, eval);
            }
            AtomicFiles.writeString(done, Json.pretty(row));
            rows.add(row);
            previous = trained;
            log("iteration %d: win rate against the start %.3f [%.3f, %.3f], gold reward %.3f", t, row.winRate(), row.winRateLo(),
                    row.winRateHi(), row.goldReward());
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", method.label());
        summary.put("selection", selection.describe());
        summary.put("oracle", oracle.describe());
        summary.put("init", initModel.toString());
        summary.put("iterations", rows);
        AtomicFiles.writeString(out.resolve("summary.json"), Json.pretty(summary));
        return new Result(out, List.copyOf(rows));
    }

    /** Row of iteration 0: the starting model's own fresh samples against its evaluation samples. */
    private Row evaluated(int t, int prompts, PolicySampler.Samples samples, int pairs, int mixed, double margin, double trainSeconds,
                          List<Problem> evalProblems, List<List<String>> opponent, PreferenceOracle oracle, Rng rng, Path model) {
        return evaluated(t, prompts, samples, pairs, mixed, margin, trainSeconds, evalProblems, opponent, oracle, rng, model, samples);
    }

    private Row evaluated(int t, int prompts, PolicySampler.Samples samples, int pairs, int mixed, double margin, double trainSeconds,
                          List<Problem> evalProblems, List<List<String>> opponent, PreferenceOracle oracle, Rng rng, Path model,
                          PolicySampler.Samples eval) {
        PolicyWinRate.Result win = PolicyWinRate.evaluate(evalProblems, eval.responses(), opponent, "start", oracle, 1000, rng);
        return new Row(t, prompts, samples.samples(), pairs, mixed, margin, samples.samplesPerSecond(), samples.tokensPerSecond(),
                trainSeconds, win.winRate().winRate().estimate(), win.winRate().winRate().lo(), win.winRate().winRate().hi(),
                win.goldReward(), model.toString());
    }

    /** {@code perFamily} problems of every configured family, generated from {@code seed}. */
    private List<Problem> problems(long seed, int perFamily) {
        List<Problem> out = new ArrayList<>();
        for (TaskFamily f : TaskSuite.select(config.families())) {
            out.addAll(TaskSuite.problems(f, seed, perFamily));
        }
        return out;
    }

    /** DNO's replay: from each earlier iteration {@code s < t}, a random share {@code decay^(t-s)} of its own pairs. */
    private List<PreferenceExample> earlierPairs(int t, Rng rng) {
        List<PreferenceExample> mixed = new ArrayList<>();
        for (int s = 1; s < t; s++) {
            List<PreferenceExample> earlier = PreferenceJsonl.read(out.resolve("iteration-" + s).resolve("selected.jsonl"));
            int keep = (int) Math.round(Math.pow(config.dnoMixDecay(), t - s) * earlier.size());
            int[] order = rng.split("from-" + s).permutation(earlier.size());
            for (int i = 0; i < keep; i++) {
                mixed.add(earlier.get(order[i]));
            }
        }
        return mixed;
    }

    /** A selected pair as a preference row (family, selection scores and gold rewards as extra columns). */
    static PreferenceExample example(PairSelection.Pair p) {
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        extra.put("family", Json.MAPPER.valueToTree(p.problem().family()));
        extra.put("chosen_score", Json.MAPPER.valueToTree(p.chosenScore()));
        extra.put("rejected_score", Json.MAPPER.valueToTree(p.rejectedScore()));
        extra.put("chosen_reward", Json.MAPPER.valueToTree(p.problem().score(p.chosen())));
        extra.put("rejected_reward", Json.MAPPER.valueToTree(p.problem().score(p.rejected())));
        return new PreferenceExample(Content.text(p.problem().prompt()), Content.text(p.chosen()), Content.text(p.rejected()), extra);
    }

    private static void write(Path file, List<PreferenceExample> rows) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        PreferenceJsonl.write(file, rows, PreferenceFormat.STANDARD);
    }


    private static List<List<String>> readOpponent(Path file) {
        try {
            return Json.MAPPER.readValue(file.toFile(), new com.fasterxml.jackson.core.type.TypeReference<List<List<String>>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Row readRow(Path file) {
        try {
            return Json.MAPPER.readValue(file.toFile(), Row.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void log(String format, Object... args) {
        if (verbose) {
            System.err.printf(format + "%n", args);
        }
    }
}
