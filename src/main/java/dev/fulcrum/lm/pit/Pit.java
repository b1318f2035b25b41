package dev.fulcrum.lm.pit;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.align.RevisionPrompt;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftExample;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.rl.PpoMax;
import dev.fulcrum.lm.rl.PpoRunConfig;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.ModelSpec;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * PIT, implicit self-improvement (Wang et al. 2023, "Enabling Language Models to Implicitly Learn Self-Improvement",
 * arXiv 2310.00898): a reviser {@code M_PIT(y | x, y_ref)} that learns from preference data alone to improve a
 * reference response, by RL on a reward for the quality gap of its response over the reference.
 *
 * <table>
 *   <caption>signal, anchor, balance</caption>
 *   <tr><th>signal</th><td>the gap reward {@code R_PIT(x, y_ref, y)} ({@link GapRewardObjective})</td></tr>
 *   <tr><th>anchor</th><td>the reviser SFT model {@code M_PIT^SFT}, through PPO's per-token KL penalty</td></tr>
 *   <tr><th>balance</th><td>the KL coefficient ({@code ppo.klCoef})</td></tr>
 * </table>
 *
 * One run, from the SFT (policy) model {@code M_P} at {@code init}, writes into its folder:
 * <ol>
 *   <li>{@code pairs.jsonl}: preference pairs {@code (x, yw, yl)} (the task suite's references and graded corruptions,
 *       labelled by a Bradley-Terry oracle over the gold reward);</li>
 *   <li>{@code reviser-sft/}: {@code M_PIT^SFT}, SFT of {@code M_P} on {@code revise(x, yl) -> yw}
 *       ({@code reviser-sft.jsonl}; the paper's {@code L = -sum log M_PIT(yw | x, yl)});</li>
 *   <li>{@code gap-reward/}: the gap reward model, from {@code M_P}'s trunk, Bradley-Terry over the five orderings of each
 *       pair ({@link GapOrdering});</li>
 *   <li>{@code stage1/}: PPO ({@link PpoMax}, unchanged) from {@code M_PIT^SFT} on revision prompts whose drafts come from
 *       the data ({@link Curriculum#fromData}: {@code yl} and {@code M_P}'s samples; {@code stage1-references.jsonl}),
 *       reward {@code R_PIT}, KL to {@code M_PIT^SFT};</li>
 *   <li>{@code stage2/}: PPO from the stage-1 policy on drafts that the stage-1 policy sampled itself
 *       ({@link Curriculum#fromPolicy}, {@code stage2-references.jsonl}), still anchored to {@code M_PIT^SFT};</li>
 *   <li>{@code pit.json}: the settings, where each model is, the gap reward model's held-out ordering accuracy and the
 *       stages' reward trends.</li>
 * </ol>
 * At inference ({@code SelfRevision#revise}) {@code M_P} answers and the PIT model revises its previous output, round after
 * round.
 *
 * <p>What was checked against the paper: the abstract (maximise the quality gap of a response conditioned on a reference
 * response, learnt from the preference data a reward model is trained on, no rubrics), and, through public summaries and
 * the ICLR 2024 reviews, the reviser SFT loss on {@code (x, yl) -> yw}, the ordering chain of the reward model
 * {@code gap(w,l) >= gap(w,w) ~ gap(l,l) >= gap(l,w)} with five inequalities, RL that maximises the gap reward, the
 * two-stage curriculum (first improve easy references from data, then the model's own samples) and iterated revision at
 * inference. Reconstructed (the paper's full text could not be read here): the equal weighting of the five orderings, the
 * mix of stage-1 references (rejected responses and policy samples), the KL anchor of stage 2 (kept at {@code M_PIT^SFT}),
 * PPO-max as the RL algorithm and the revision prompt's wording ({@link RevisionPrompt}).
 */
public final class Pit {
    public static final String PAIRS = "pairs.jsonl";
    public static final String REVISER_DATA = "reviser-sft.jsonl";
    public static final String REVISER = "reviser-sft";
    public static final String GAP_REWARD = "gap-reward";
    public static final String STAGE1 = "stage1";
    public static final String STAGE2 = "stage2";
    public static final String SUMMARY = "pit.json";

    /** Where one run's models are; {@code model} is the final PIT reviser (stage 2's, or stage 1's without a stage 2). */
    public record Result(Path out, Path reviserSft, Path gapReward, Path stage1, Path stage2, Path model, Map<String, Object> summary) {
    }

    private Pit() {
    }

    /** Runs (or finishes: completed parts are kept) the pipeline into {@code out}. */
    public static Result run(PitSettings s, Path out, boolean progress) {
        Path init = ModelDirectories.resolve(Path.of(s.init()));
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        Rng master = new Rng(s.seed());
        List<PreferenceExample> pairs = pairs(s, master);
        PreferenceJsonl.write(out.resolve(PAIRS), pairs, PreferenceFormat.STANDARD);
        SftJsonl.write(out.resolve(REVISER_DATA), reviserExamples(pairs), SftFormat.PROMPT_COMPLETION);

        Path reviser = out.resolve(REVISER);
        if (!finished(reviser)) {
            List<String> o = new ArrayList<>(common(s, out.resolve(REVISER_DATA), init, s.reviserSteps()));
            o.addAll(List.of("eval.families=" + String.join(",", s.families()), "eval.problemsPerFamily=4",
                    "eval.maxNewTokens=" + s.maxNewTokens(), "eval.maxToolCalls=0"));
            o.addAll(s.reviserOverrides());
            train("sft", o, reviser, progress);
        }
        Path gap = out.resolve(GAP_REWARD);
        if (!finished(gap)) {
            List<String> o = new ArrayList<>(common(s, out.resolve(PAIRS), init, s.rewardSteps()));
            o.addAll(s.rewardOverrides());
            train("pit-reward", o, gap, progress);
        }

        List<RevisionProblem> stage1Pool = stage1Pool(s, pairs, init, master.split("stage1-references"));
        writeReferences(out.resolve("stage1-references.jsonl"), stage1Pool);
        Path stage1 = out.resolve(STAGE1);
        if (!finished(stage1)) {
            ppo(s, reviser, gap, stage1Pool, s.stage1Iterations(), null, stage1, progress);
        }
        Path stage2 = null;
        if (s.stage2Iterations() > 0) {
            List<RevisionProblem> prompts = Curriculum.sample(stage1Pool, s.stage2Prompts(), master.split("stage2-prompts"));
            List<String> drafts = sample(stage1.resolve(LmTrainer.MODEL_DIR), prompts.stream().map(Problem::prompt).toList(),
                    s.maxNewTokens(), master.split("stage2-references"));
            List<RevisionProblem> stage2Pool = Curriculum.fromPolicy(prompts, drafts);
            writeReferences(out.resolve("stage2-references.jsonl"), stage2Pool);
            stage2 = out.resolve(STAGE2);
            if (!finished(stage2)) {
                ppo(s, stage1, gap, stage2Pool, s.stage2Iterations(), reviser, stage2, progress);
            }
        }
        Path model = (stage2 != null ? stage2 : stage1).resolve(LmTrainer.MODEL_DIR);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("algorithm", "pit");
        summary.put("settings", s);
        summary.put("init", init.toString());
        summary.put("pairs", pairs.size());
        summary.put("reviser_sft", reviser.toString());
        summary.put("gap_reward", gap.toString());
        summary.put("gap_reward_evaluation", readJson(gap.resolve("summary.json")).path("final_evaluation"));
        summary.put("stage1", stage1.toString());
        summary.put("stage1_trend", trend(stage1));
        if (stage2 != null) {
            summary.put("stage2", stage2.toString());
            summary.put("stage2_trend", trend(stage2));
        }
        summary.put("model", model.toString());
        summary.put("seconds_this_session", (System.nanoTime() - t0) / 1e9);
        AtomicFiles.writeString(out.resolve(SUMMARY), Json.pretty(summary) + "\n");
        return new Result(out, reviser, gap, stage1, stage2, model, summary);
    }

    /** Bradley-Terry-labelled pairs of the reference and its corruptions, a random {@code maxPairs} of them. */
    static List<PreferenceExample> pairs(PitSettings s, Rng master) {
        List<PreferenceExample> all = OracleDatasets.preferences(OracleDatasets.sources(s.families(), s.dataSeed(), s.pairProblems()),
                new BradleyTerryOracle(s.oracleTemperature()), master.split("labels"), false);
        int[] order = master.split("pairs").permutation(all.size());
        List<PreferenceExample> kept = new ArrayList<>();
        for (int i = 0; i < Math.min(s.maxPairs(), all.size()); i++) {
            kept.add(all.get(order[i]));
        }
        return kept;
    }

    /** The reviser's SFT examples: {@code revise(x, yl) -> yw} for every pair (the paper's {@code M_PIT(yw | x, yl)}). */
    public static List<SftExample> reviserExamples(List<PreferenceExample> pairs) {
        List<SftExample> out = new ArrayList<>(pairs.size());
        for (PreferenceExample p : pairs) {
            out.add(new SftExample(Content.text(RevisionPrompt.revise(text(p.prompt()), text(p.rejected()))), p.chosen(), p.extra()));
        }
        return out;
    }

    /** The task problem a pair row was made from (its {@code family}, {@code seed} and {@code index} columns). */
    public static Problem task(PreferenceExample row) {
        JsonNode family = row.extra().get("family"), seed = row.extra().get("seed"), index = row.extra().get("index");
        if (family == null || seed == null || index == null) {
            throw new IllegalArgumentException("a pair row lacks its provenance columns (family, seed, index) to regenerate its task");
        }
        return TaskSuite.problem(family.asText(), seed.asLong(), index.asInt());
    }

    private static String text(Content c) {
        if (c instanceof Content.Text t) {
            return t.text();
        }
        throw new IllegalArgumentException("PIT works on plain-text pairs; got a conversational row");
    }

    /** Stage 1's references: each pair's rejected response, and one sample of the SFT model per distinct task. */
    private static List<RevisionProblem> stage1Pool(PitSettings s, List<PreferenceExample> pairs, Path init, Rng rng) {
        List<Curriculum.Rejected> rejected = new ArrayList<>();
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        List<Problem> tasks = new ArrayList<>();
        for (PreferenceExample p : pairs) {
            Problem task = task(p);
            rejected.add(new Curriculum.Rejected(task, text(p.rejected())));
            if (seen.add(task.prompt())) {
                tasks.add(task);
            }
        }
        List<String> sft = sample(init, tasks.stream().map(Problem::prompt).toList(), s.maxNewTokens(), rng);
        return Curriculum.fromData(rejected, tasks, sft);
    }

    /** One sampled response (temperature 1, no tool calls) of the model in {@code modelDir} to each prompt. */
    private static List<String> sample(Path modelDir, List<String> prompts, int maxNewTokens, Rng rng) {
        Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
            return new ResponseGenerator(model, tokenizer).respond(manager, prompts,
                    new ResponseGenerator.Settings(maxNewTokens, 0, 1.0, 0, 1.0, 64), rng);
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    private static void writeReferences(Path file, List<RevisionProblem> pool) {
        StringBuilder b = new StringBuilder();
        for (RevisionProblem p : pool) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("family", p.family());
            row.put("task_prompt", p.task().prompt());
            row.put("reference", p.draft());
            row.put("source", p.source());
            row.put("reference_gold", p.task().score(p.draft()));
            b.append(Json.line(row)).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
    }

    private static List<String> common(PitSettings s, Path data, Path init, long steps) {
        return List.of("data=" + data, "init=" + init, "tokenizer=auto", "seed=" + s.seed(), "steps=" + steps,
                "logEvery=" + Math.max(1, steps / 10), "evalEvery=" + steps, "checkpointEvery=" + steps, "keepCheckpoints=1");
    }

    private static void train(String objective, List<String> overrides, Path runDir, boolean progress) {
        AtomicFiles.deleteTree(runDir); // an unfinished run of an earlier session is redone
        LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults(objective, ModelSpec.small()), null, overrides);
        new LmTrainer(cfg, runDir).progressBar(progress).fit();
    }

    private static void ppo(PitSettings s, Path init, Path rewardModel, List<RevisionProblem> pool, int iterations, Path klReference,
                            Path runDir, boolean progress) {
        AtomicFiles.deleteTree(runDir);
        String families = String.join(",", s.families());
        List<String> o = new ArrayList<>(List.of("init=" + ModelDirectories.resolve(init), "rewardModel=" + ModelDirectories.resolve(rewardModel),
                "ppo.reward=model", "iterations=" + iterations, "seed=" + s.seed(), "families=" + families,
                "eval.families=" + families, "eval.problemsPerFamily=4", "eval.maxNewTokens=" + s.maxNewTokens(), "eval.maxToolCalls=0",
                "ppo.maxNewTokens=" + s.maxNewTokens(), "evalEvery=" + iterations, "checkpointEvery=" + iterations, "keepCheckpoints=1"));
        o.addAll(s.ppoOverrides());
        PpoRunConfig cfg = ConfigLoader.load(PpoRunConfig.class, PpoRunConfig.defaults(), null, o);
        PpoMax ppo = new PpoMax(cfg, runDir).promptPool(List.copyOf(pool)).progressBar(progress).console(System.out);
        if (klReference != null) {
            ppo.klReference(klReference);
        }
        ppo.fit();
    }

    private static boolean finished(Path run) {
        return Files.isRegularFile(run.resolve("summary.json")) && Files.isDirectory(run.resolve(LmTrainer.MODEL_DIR));
    }

    /**
     * Mean gap reward ({@code reward_raw}) and gold reward of the rollouts over the first and the last quarter of a
     * stage's PPO iterations (at least one each).
     */
    static Map<String, Double> trend(Path run) {
        List<JsonNode> ppo = new ArrayList<>();
        try (var lines = Files.lines(run.resolve("metrics.jsonl"))) {
            lines.map(Pit::parse).filter(n -> n.path("phase").asText().equals("train") && n.path("stage").asText().equals("ppo"))
                    .forEach(ppo::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + run.resolve("metrics.jsonl") + ": " + e.getMessage(), e);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        if (ppo.isEmpty()) {
            return m;
        }
        int q = Math.max(1, ppo.size() / 4);
        for (String key : List.of("reward_raw", "gold_reward", "kl")) {
            m.put(key + "_first", ppo.subList(0, q).stream().mapToDouble(n -> n.path(key).asDouble(Double.NaN)).average().orElse(Double.NaN));
            m.put(key + "_last", ppo.subList(ppo.size() - q, ppo.size()).stream().mapToDouble(n -> n.path(key).asDouble(Double.NaN))
                    .average().orElse(Double.NaN));
        }
        return m;
    }

    private static JsonNode parse(String line) {
        try {
            return Json.COMPACT.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("bad metrics line: " + e.getMessage(), e);
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return Json.COMPACT.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
