package dev.fulcrum.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.diagnostics.DiagnosticsReport;
import dev.fulcrum.lm.diagnostics.PairScoring;
import dev.fulcrum.lm.diagnostics.RankingDiagnostics;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ModelSpec;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.SolveRateEvaluation;
import dev.fulcrum.lm.train.TokenizerFiles;
import dev.fulcrum.lm.train.WinRateEvaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum lm sft|reward|eval|generate|diagnose}: training, evaluating and inspecting language models. */
final class LmTrainingCommands {
    private LmTrainingCommands() {
    }

    /** The options and flow shared by the training commands. */
    abstract static class TrainLm implements Callable<Integer> {
        @Mixin
        RunOptions run;
        @Option(names = "--data", description = "Training data (JSON Lines, TRL layout).")
        String data;
        @Option(names = "--tokenizer", description = "bytes, a tokenizer.json path, or hf:PATH (default: the --init model's, else bytes).")
        String tokenizer;
        @Option(names = "--model-size", description = "Shape of a fresh model: tiny or small (default: tiny); fine-tune with --set model.*.")
        String modelSize;
        @Option(names = "--init", description = "Start from this Hugging Face model directory (or a finished run) instead of a fresh model.")
        Path init;
        @Option(names = "--steps", description = "Optimiser updates.")
        Long steps;
        @Option(names = "--seed", description = "Seed.")
        Long seed;
        @Option(names = "--device", description = "cpu, gpu or gpu:N (default: cpu, or FULCRUM_DEVICE); a GPU needs a CUDA "
                + "libtorch (README, 'Fine-tuning on a GPU'). With --resume: continue the run on this device.")
        String device;

        abstract String objective();

        abstract void report(LmTrainConfig cfg, LmTrainer.Result result);

        /** Settings of the command's own options ({@code key=value}), applied before {@code --set}. */
        List<String> objectiveOverrides() {
            return List.of();
        }

        @Override
        public Integer call() {
            LmTrainConfig cfg = resolve();
            LmTrainer trainer = new LmTrainer(cfg, run.out).resume(run.resume).progressBar(run.progressBar());
            if (run.stopAfter != null) {
                trainer.stopAfter(run.stopAfter);
            }
            LmTrainer.Result r = trainer.fit();
            if (r.stepsDone() == cfg.steps() && r.finalEvaluation() == null) {
                System.out.printf("run %s is already complete (%d updates)%n", r.runDir(), r.stepsDone());
            } else if (r.stepsDone() == cfg.steps()) {
                report(cfg, r);
                System.out.printf("run: %s (model: %s)%n", r.runDir(), r.runDir().resolve(LmTrainer.MODEL_DIR));
            } else {
                System.out.printf("stopped at step %d; continue with --resume --out %s%n", r.stepsDone(), r.runDir());
            }
            return 0;
        }

        LmTrainConfig resolve() {
            if (run.resume) {
                LmTrainConfig cfg = run.resolve(LmTrainConfig.class, LmTrainConfig.defaults(objective()), List.of());
                requireObjective(cfg);
                return device == null ? cfg : cfg.withDevice(device);
            }
            ModelSpec shape = modelSize == null ? ModelSpec.tiny() : ModelSpec.preset(modelSize);
            List<String> own = new ArrayList<>();
            if (data != null) own.add("data=" + data);
            if (tokenizer != null) own.add("tokenizer=" + tokenizer);
            if (init != null) own.add("init=" + ModelDirectories.resolve(init));
            if (steps != null) own.add("steps=" + steps);
            if (seed != null) own.add("seed=" + seed);
            if (device != null) own.add("device=" + device);
            own.addAll(objectiveOverrides());
            LmTrainConfig cfg = run.resolve(LmTrainConfig.class, LmTrainConfig.defaults(objective(), shape), own);
            requireObjective(cfg);
            if (modelSize != null && cfg.fromCheckpoint()) {
                throw new IllegalArgumentException("--model-size shapes a fresh model, but --init loads one: pass only one");
            }
            return cfg;
        }

        private void requireObjective(LmTrainConfig cfg) {
            if (!cfg.objective().equals(objective())) {
                throw new IllegalArgumentException("this command trains objective '" + objective() + "', the configuration says '"
                        + cfg.objective() + "' (use 'fulcrum lm " + cfg.objective() + "')");
            }
        }
    }

    @Command(name = "sft", mixinStandardHelpOptions = true,
            description = {"Supervised training on prompt/completion JSONL (loss on completion tokens only), from scratch or from "
                    + "--init; evaluates greedy solve rates on fresh task problems.",
                    "Writes a run directory with the trained model as a Hugging Face directory RUN/model."})
    static final class Sft extends TrainLm {
        @Override
        String objective() {
            return "sft";
        }

        @Override
        void report(LmTrainConfig cfg, LmTrainer.Result r) {
            Map<String, Double> m = r.finalEvaluation();
            System.out.printf("sft: %d updates, %.0f tokens/s; greedy solve rates on fresh problems:%n", r.stepsDone(),
                    r.tokensPerSecond());
            for (String split : List.of("in-distribution", "held-out")) {
                if (m.containsKey("solve_rate." + split)) {
                    System.out.printf("  %-16s solve rate %.3f, mean gold reward %.3f%n", split, m.get("solve_rate." + split),
                            m.get("gold_reward." + split));
                }
            }
            JsonNode summary;
            try {
                summary = Json.COMPACT.readTree(r.runDir().resolve("summary.json").toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            for (JsonNode f : summary.path("families")) {
                System.out.printf("  %-16s %-16s %3d problems, solve rate %.3f, mean gold reward %.3f%s%n", f.get("family").asText(),
                        f.get("split").asText(), f.get("problems").asInt(), (double) f.get("solved").asInt() / f.get("problems").asInt(),
                        f.get("meanReward").asDouble(), f.get("promptsSeenInTraining").asBoolean()
                                ? " (every prompt of this family occurs in the training data)" : "");
            }
        }
    }

    @Command(name = "reward", mixinStandardHelpOptions = true,
            description = {"Train a Bradley-Terry reward model (decoder trunk + scalar head) on preference JSONL.",
                    "Holds out the pairs of reward.heldOutFraction of the prompts and reports pairwise accuracy on them next to "
                            + "the labelling oracle's own."})
    static final class Reward extends TrainLm {
        @Override
        String objective() {
            return "reward";
        }

        @Override
        void report(LmTrainConfig cfg, LmTrainer.Result r) {
            Map<String, Double> m = r.finalEvaluation() == null ? Map.of() : r.finalEvaluation();
            System.out.printf("reward: %d updates, %.0f tokens/s; train accuracy %.3f%n", r.stepsDone(), r.tokensPerSecond(),
                    m.getOrDefault("train_accuracy", Double.NaN));
            if (m.containsKey("heldout_accuracy")) {
                System.out.printf("  held-out pairwise accuracy %.3f", m.get("heldout_accuracy"));
                if (m.containsKey("heldout_oracle_expected_accuracy")) {
                    System.out.printf(" (oracle: expected %.3f, on these labels %.3f)", m.get("heldout_oracle_expected_accuracy"),
                            m.get("heldout_oracle_label_accuracy"));
                }
                if (m.containsKey("heldout_gold_order_agreement")) {
                    System.out.printf("; agreement with the gold-reward order %.3f", m.get("heldout_gold_order_agreement"));
                }
                System.out.println();
            }
        }
    }

    /** A loaded policy: model and tokenizer. */
    record Policy(Path dir, DecoderLm model, Tokenizer tokenizer) {
        static Policy load(Path runOrModel, NDManager manager) {
            Path dir = ModelDirectories.resolve(runOrModel);
            return new Policy(dir, HfCheckpoint.load(dir, manager, DataType.FLOAT32), TokenizerFiles.ofModel(dir));
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = {"Greedy responses of a model to fresh task problems: solve rates, and the oracle-judged win rate against "
                    + "the reference answers or another model, with a 95%% stratified-bootstrap interval.",
                    "Win rate = mean over families of P(model's response > opponent's) under the oracle (ties count 1/2)."})
    static final class Eval implements Callable<Integer> {
        @Option(names = "--run", required = true, description = "A finished run (its model/) or a Hugging Face model directory.")
        Path run;
        @Option(names = "--against", defaultValue = "reference",
                description = "'reference' (the problems' gold answers) or another run/model directory (default: ${DEFAULT-VALUE}).")
        String against;
        @Option(names = "--tasks", defaultValue = "all", description = "Families: names, in-distribution, held-out or all (default: ${DEFAULT-VALUE}).")
        String tasks;
        @Option(names = "--per-family", defaultValue = "25", description = "Problems per family (default: ${DEFAULT-VALUE}).")
        int perFamily;
        @Option(names = "--seed", defaultValue = "1000003",
                description = "Problem seed; make-data's default is 0, so these problems are new (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--oracle", defaultValue = "bt", description = "Judge: bt, intransitive or gold (default: ${DEFAULT-VALUE}).")
        String oracle;
        @Option(names = "--temperature", defaultValue = "0.1", description = "Oracle temperature for bt and intransitive (default: ${DEFAULT-VALUE}).")
        double temperature;
        @Option(names = "--cycle-weight", defaultValue = "0.3", description = "Cyclic weight of the intransitive oracle (default: ${DEFAULT-VALUE}).")
        double cycleWeight;
        @Option(names = "--max-new-tokens", defaultValue = "200", description = "Response budget in tokens (default: ${DEFAULT-VALUE}).")
        int maxNewTokens;
        @Option(names = "--max-tool-calls", defaultValue = "4", description = "Tool calls executed per response (default: ${DEFAULT-VALUE}).")
        int maxToolCalls;
        @Option(names = "--batch-size", defaultValue = "64", description = "Prompts decoded together (default: ${DEFAULT-VALUE}).")
        int batchSize;
        @Option(names = "--resamples", defaultValue = "2000", description = "Bootstrap resamples (default: ${DEFAULT-VALUE}).")
        int resamples;
        @Option(names = "--out", description = "Also write the results to this JSON file.")
        Path out;

        @Override
        public Integer call() {
            if (perFamily <= 0 || maxNewTokens <= 0 || batchSize <= 0 || resamples <= 0 || maxToolCalls < 0) {
                throw new IllegalArgumentException("--per-family, --max-new-tokens, --batch-size and --resamples must be positive, "
                        + "--max-tool-calls non-negative");
            }
            PreferenceOracle judge = WinRateEvaluation.oracle(oracle, temperature, cycleWeight);
            List<Problem> problems = new ArrayList<>();
            for (TaskFamily f : TaskSuite.select(tasks)) {
                problems.addAll(TaskSuite.problems(f, seed, perFamily));
            }
            List<String> prompts = problems.stream().map(Problem::prompt).toList();
            ResponseGenerator.Settings decode = ResponseGenerator.Settings.greedy(maxNewTokens, maxToolCalls, batchSize);
            Map<String, Object> result = new LinkedHashMap<>();
            try (NDManager manager = Torch.newManager()) {
                Policy policy = Policy.load(run, manager);
                List<String> responses = respond(policy, manager, prompts, decode);
                List<String> opponents;
                String opponentName;
                SolveRateEvaluation.Result opponentScores = null;
                if (against.equals("reference")) {
                    opponents = problems.stream().map(Problem::reference).toList();
                    opponentName = "reference answers";
                } else {
                    Policy other = Policy.load(Path.of(against), manager);
                    opponents = respond(other, manager, prompts, decode);
                    opponentName = other.dir().toString();
                    opponentScores = SolveRateEvaluation.score(problems, opponents, Set.of(), Set.of(), 0);
                }
                SolveRateEvaluation.Result scores = SolveRateEvaluation.score(problems, responses, Set.of(), Set.of(), 2);
                WinRateEvaluation.Result win = WinRateEvaluation.compare(problems, responses, opponents, opponentName, judge,
                        resamples, new Rng(seed).split("bootstrap"));
                result.put("model", policy.dir().toString());
                result.put("opponent", opponentName);
                result.put("oracle", win.oracle());
                result.put("problems", problems.size());
                result.put("seed", seed);
                result.put("win_rate", win.winRate());
                result.put("families", win.families());
                result.put("solve_rates", scores.metrics());
                if (opponentScores != null) {
                    result.put("opponent_solve_rates", opponentScores.metrics());
                }
                result.put("samples", scores.samples());
                System.out.printf("win rate of %s against %s: %.3f [%.3f, %.3f] (95%% stratified bootstrap; %d problems, judge %s)%n",
                        policy.dir(), opponentName, win.winRate().estimate(), win.winRate().lo(), win.winRate().hi(),
                        problems.size(), win.oracle());
                System.out.printf("%-16s %8s %10s %12s%n", "family", "problems", "win rate", "solve rate");
                Map<String, Double> solve = scores.metrics();
                for (WinRateEvaluation.FamilyWinRate f : win.families()) {
                    System.out.printf("%-16s %8d %10.3f %12.3f%n", f.family(), f.problems(), f.winRate(),
                            solve.get("solve_rate." + f.family()));
                }
                TokenizerFiles.close(policy.tokenizer());
            }
            if (out != null) {
                AtomicFiles.writeString(out, Json.pretty(result) + "\n");
                System.out.println("wrote " + out);
            }
            return 0;
        }

        private static List<String> respond(Policy p, NDManager manager, List<String> prompts, ResponseGenerator.Settings decode) {
            return new ResponseGenerator(p.model(), p.tokenizer()).respond(manager, prompts, decode, new Rng(0));
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Generate responses of a model to prompts, or to problems of a task family (then scored by its gold "
                    + "reward). Tool calls in responses are executed."})
    static final class Generate implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "A finished run (its model/) or a Hugging Face model directory.")
        Path model;
        @Option(names = "--prompt", description = "A prompt (repeatable); a final newline is added if missing, as task prompts end with one.")
        List<String> prompts = new ArrayList<>();
        @Option(names = "--task", description = "Generate for problems of this task family instead.")
        String task;
        @Option(names = "--count", defaultValue = "3", description = "Problems with --task (default: ${DEFAULT-VALUE}).")
        int count;
        @Option(names = "--problem-seed", defaultValue = "1000003", description = "Problem seed with --task (default: ${DEFAULT-VALUE}).")
        long problemSeed;
        @Option(names = "--max-new-tokens", defaultValue = "200", description = "Response budget in tokens (default: ${DEFAULT-VALUE}).")
        int maxNewTokens;
        @Option(names = "--max-tool-calls", defaultValue = "4", description = "Tool calls executed per response; 0: none (default: ${DEFAULT-VALUE}).")
        int maxToolCalls;
        @Option(names = "--temperature", defaultValue = "0", description = "0: greedy; otherwise sampling temperature (default: ${DEFAULT-VALUE}).")
        double temperature;
        @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0: all (default: ${DEFAULT-VALUE}).")
        int topK;
        @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
        double topP;
        @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            if (prompts.isEmpty() == (task == null)) {
                throw new IllegalArgumentException("give either --prompt TEXT (repeatable) or --task FAMILY");
            }
            if (count <= 0 || maxNewTokens <= 0 || maxToolCalls < 0) {
                throw new IllegalArgumentException("--count and --max-new-tokens must be positive, --max-tool-calls non-negative");
            }
            new dev.fulcrum.lm.model.GenerationConfig(maxNewTokens, temperature, topK, topP, null); // validates the settings
            List<Problem> problems = task == null ? List.of() : TaskSuite.problems(TaskSuite.family(task), problemSeed, count);
            List<String> texts = task == null ? prompts.stream().map(p -> p.endsWith("\n") ? p : p + "\n").toList()
                    : problems.stream().map(Problem::prompt).toList();
            try (NDManager manager = Torch.newManager()) {
                Policy policy = Policy.load(model, manager);
                List<String> responses = new ResponseGenerator(policy.model(), policy.tokenizer()).respond(manager, texts,
                        new ResponseGenerator.Settings(maxNewTokens, maxToolCalls, temperature, topK, topP, 32), new Rng(seed));
                for (int i = 0; i < texts.size(); i++) {
                    System.out.print("--- prompt\n" + texts.get(i));
                    System.out.println("--- response\n" + responses.get(i));
                    if (task != null) {
                        Problem p = problems.get(i);
                        System.out.printf("--- gold reward %.3f (reference: %s)%n", p.score(responses.get(i)), p.reference());
                    }
                }
                TokenizerFiles.close(policy.tokenizer());
            }
            return 0;
        }
    }

    @Command(name = "diagnose", mixinStandardHelpOptions = true,
            description = {"Ranking-accuracy diagnostics (Chen et al. 2024) of a policy against its reference model on preference "
                    + "pairs: ranking accuracy, length-normalised and idealised ranking accuracy, alignment gap, per-pair "
                    + "difficulty and flips.",
                    "Writes OUT/diagnostics.json and OUT/diagnostics.md (overall and per task family)."})
    static final class Diagnose implements Callable<Integer> {
        @Option(names = "--policy", required = true, description = "Policy: a finished run or a Hugging Face model directory.")
        Path policy;
        @Option(names = "--reference", required = true, description = "Reference model: a finished run or a model directory.")
        Path reference;
        @Option(names = "--data", required = true, description = "Preference JSONL (p_chosen, when present, is the preference share).")
        Path data;
        @Option(names = "--beta", defaultValue = "0.1", description = "KL strength beta of the idealised model (default: ${DEFAULT-VALUE}).")
        double beta;
        @Option(names = "--epsilon", defaultValue = "0.001",
                description = "A preference share of 1 counts as 1 - epsilon in the idealised model (default: ${DEFAULT-VALUE}).")
        double epsilon;
        @Option(names = "--limit", defaultValue = "0", description = "Use only the first N pairs; 0: all (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--batch-size", defaultValue = "32", description = "Pairs scored together (default: ${DEFAULT-VALUE}).")
        int batchSize;
        @Option(names = "--out", required = true, description = "Output folder.")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (!(beta > 0) || !(epsilon > 0 && epsilon < 0.5) || limit < 0 || batchSize <= 0) {
                throw new IllegalArgumentException("--beta must be positive, --epsilon in (0, 0.5), --limit >= 0, --batch-size > 0");
            }
            List<PreferenceExample> pairs = PreferenceJsonl.read(data);
            if (limit > 0 && pairs.size() > limit) {
                pairs = pairs.subList(0, limit);
            }
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException(data + ": no preference pairs");
            }
            List<PairScoring.Scored> underPolicy, underReference;
            Path policyDir, referenceDir;
            try (NDManager manager = Torch.newManager()) {
                Policy p = Policy.load(policy, manager);
                policyDir = p.dir();
                underPolicy = PairScoring.score(p.model(), p.tokenizer(), manager, pairs, batchSize);
                TokenizerFiles.close(p.tokenizer());
            }
            try (NDManager manager = Torch.newManager()) {
                Policy r = Policy.load(reference, manager);
                referenceDir = r.dir();
                underReference = PairScoring.score(r.model(), r.tokenizer(), manager, pairs, batchSize);
                TokenizerFiles.close(r.tokenizer());
            }
            List<RankingDiagnostics.Pair> diagnosed = new ArrayList<>();
            List<String> families = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                PairScoring.Scored a = underPolicy.get(i), b = underReference.get(i);
                var share = pairs.get(i).extra().get("p_chosen");
                double p = share != null && share.isNumber() ? share.asDouble() : 1.0;
                diagnosed.add(new RankingDiagnostics.Pair(a.chosen(), a.rejected(), b.chosen(), b.rejected(), a.chosenTokens(),
                        a.rejectedTokens(), p));
                var family = pairs.get(i).extra().get("family");
                families.add(family != null && family.isTextual() ? family.asText() : "");
            }
            Map<String, RankingDiagnostics.Report> reports = DiagnosticsReport.reports(diagnosed, families, beta, epsilon);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("policy", policyDir.toString());
            settings.put("reference", referenceDir.toString());
            settings.put("data", data.toString());
            settings.put("pairs", pairs.size());
            settings.put("beta", beta);
            settings.put("epsilon", epsilon);
            Files.createDirectories(out);
            DiagnosticsReport.write(out, settings, reports);
            RankingDiagnostics.Report all = reports.get("all");
            System.out.printf("%d pairs: ranking accuracy %.3f (length-normalised %.3f; reference %.3f), idealised %.3f, alignment gap "
                            + "%+.3f; mean difficulty %.3f; flipped %d of %d wrongly ranked pairs, broke %d of %d%nwrote %s%n",
                    all.pairs(), all.rankingAccuracy(), all.lengthNormalisedRankingAccuracy(), all.referenceRankingAccuracy(),
                    all.idealisedRankingAccuracy(), all.alignmentGap(), all.meanDifficulty(), all.flips().flippedToRight(),
                    all.flips().referenceWrong(), all.flips().flippedToWrong(), all.flips().referenceRight(),
                    out.resolve(DiagnosticsReport.MARKDOWN));
            return 0;
        }
    }
}
