package dev.fulcrum.experiment.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.pit.GapOrdering;
import dev.fulcrum.lm.pit.Pit;
import dev.fulcrum.lm.pit.PitSettings;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.Split;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.SelfRevision;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The PIT claim (Wang et al. 2023): revisions by a PIT-trained reviser improve the quality of a policy model's responses,
 * over the original responses and over a prompting-only revision baseline, and keep improving over revision rounds.
 *
 * <p>From the shared SFT base ({@link BaseSft.Spec#standard()}; the policy model {@code M_P}), per seed {@code s}: one
 * {@link Pit} run (pairs on fresh problems of the held-in families, problem seed {@code 100 + s}; reviser SFT, gap reward
 * model, two PPO stages). Evaluation on fresh problems (seed 1000003) of the held-in families: the base's greedy answers
 * {@code y0} (the original responses), then {@code rounds} greedy revisions {@code y(k+1) = M(. | x, Draft: y(k))} by each
 * reviser: the base itself with the same revision prompt (prompting only, no PIT training), the reviser SFT
 * ({@code M_PIT^SFT}, no RL), the stage-1 policy and the final PIT model. Quality: mean gold reward and the
 * Bradley-Terry oracle's probability that {@code y(k)} beats {@code y0} (temperature 0.1; equal gold rewards count 1/2),
 * averaged within families, then over families. Intervals are Student-t 95% over seeds; differences are paired by seed.
 */
public final class PitExperiment {
    private static final double ORACLE_TEMPERATURE = 0.1;
    private static final int MAX_NEW_TOKENS = 48;
    private static final double SOLVED = 1 - 1e-9;
    static final List<String> METHODS = List.of("prompting", "reviser-SFT", "PIT stage 1", "PIT");

    /**
     * @param base         the SFT model: the policy model whose answers are revised, and the start of every PIT model
     * @param families     held-in families: pairs, RL prompts and evaluation
     * @param seeds        seeds 0..seeds-1
     * @param rounds       revision rounds evaluated
     * @param evalProblems evaluation problems per family
     * @param pit          the per-seed PIT settings (init, data seed and seed are set per seed)
     */
    public record Settings(BaseSft.Spec base, List<String> families, int seeds, int rounds, int evalProblems, PitSettings pit,
                           Path work, Path report) {
        public Settings {
            if (seeds < 2) {
                throw new IllegalArgumentException("--seeds must be at least 2 for intervals, got " + seeds);
            }
            if (rounds < 1 || evalProblems <= 0) {
                throw new IllegalArgumentException("--rounds and --eval-problems must be positive");
            }
            for (String f : families) {
                if (TaskSuite.family(f).split() != Split.IN_DISTRIBUTION) {
                    throw new IllegalArgumentException("family " + f + " is not a held-in (in-distribution) family");
                }
            }
        }
    }

    /**
     * Per round: mean gold reward and win rate against y0 (family means); over all problems pooled, the mean gold reward
     * of the problems whose y0 is not solved ({@code repaired}) and the share of those with a solved y0 that stay solved
     * ({@code kept}).
     */
    record Curve(double[] gold, double[] win, double[] repaired, double[] kept, double solvedShare, List<String> samples) {
    }

    /** One seed: each method's curve, the gap reward model's held-out accuracies, the stages' trends, seconds. */
    record SeedResult(Map<String, Curve> curves, Map<String, Double> gapAccuracy, Map<String, Double> stage1, Map<String, Double> stage2,
                      double seconds) {
    }

    public record Outcome(boolean held, String verdict) {
    }

    private PitExperiment() {
    }

    public static Outcome run(Settings s, boolean progress) {
        Path baseRun = BaseSft.obtain(s.base(), progress);
        Path baseModel = baseRun.resolve(LmTrainer.MODEL_DIR);
        List<Problem> problems = new ArrayList<>();
        for (String f : s.families()) {
            problems.addAll(TaskSuite.problems(TaskSuite.family(f), 1_000_003, s.evalProblems()));
        }
        long t0 = System.nanoTime();
        List<String> prompts = problems.stream().map(Problem::prompt).toList();
        List<String> first = revisions(baseModel, prompts, null, 0).round(0);
        Curve prompting = curve(problems, first, revisions(baseModel, prompts, first, s.rounds()));
        double baselineSeconds = (System.nanoTime() - t0) / 1e9;
        List<SeedResult> seeds = new ArrayList<>();
        Outcome outcome = null;
        for (int seed = 0; seed < s.seeds(); seed++) {
            long t1 = System.nanoTime();
            PitSettings p = s.pit();
            PitSettings ps = new PitSettings(baseModel.toString(), s.families(), p.pairProblems(), 100 + seed, p.oracleTemperature(),
                    p.maxPairs(), seed, p.reviserSteps(), p.rewardSteps(), p.stage1Iterations(), p.stage2Iterations(), p.stage2Prompts(),
                    p.maxNewTokens(), p.reviserOverrides(), p.rewardOverrides(), p.ppoOverrides());
            Pit.Result r = Pit.run(ps, s.work().resolve("seed-" + seed), progress);
            Map<String, Curve> curves = new LinkedHashMap<>();
            curves.put("prompting", prompting);
            curves.put("reviser-SFT", curve(problems, first, revisions(r.reviserSft().resolve(LmTrainer.MODEL_DIR), prompts, first, s.rounds())));
            curves.put("PIT stage 1", curve(problems, first, revisions(r.stage1().resolve(LmTrainer.MODEL_DIR), prompts, first, s.rounds())));
            curves.put("PIT", curve(problems, first, revisions(r.model(), prompts, first, s.rounds())));
            JsonNode gap = Json.MAPPER.valueToTree(r.summary().get("gap_reward_evaluation"));
            Map<String, Double> gapAccuracy = new LinkedHashMap<>();
            gapAccuracy.put("all", gap.path("heldout_accuracy").asDouble(Double.NaN));
            for (String name : GapOrdering.NAMES) {
                gapAccuracy.put(name, gap.path("heldout_accuracy." + name).asDouble(Double.NaN));
            }
            seeds.add(new SeedResult(curves, gapAccuracy, trend(r.summary().get("stage1_trend")), trend(r.summary().get("stage2_trend")),
                    (System.nanoTime() - t1) / 1e9));
            System.out.printf(Locale.ROOT, "PIT seed %d: %.0f s; gold reward by round: PIT %s, prompting %s, y0 %.3f%n", seed,
                    seeds.getLast().seconds(), fmt(curves.get("PIT").gold()), fmt(prompting.gold()), prompting.gold()[0]);
            outcome = report(s, seeds, baselineSeconds, (System.nanoTime() - t0) / 1e9, baseRun);
        }
        return outcome;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Double> trend(Object o) {
        return o == null ? Map.of() : (Map<String, Double>) o;
    }

    /** Greedy first answers (when {@code first} is null) or {@code rounds} greedy revisions of {@code first} by the model. */
    private static SelfRevision.Rounds revisions(Path modelDir, List<String> prompts, List<String> first, int rounds) {
        Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
            SelfRevision reviser = new SelfRevision(model, tokenizer, 8);
            ResponseGenerator.Settings greedy = ResponseGenerator.Settings.greedy(MAX_NEW_TOKENS, 0, 64);
            return first == null ? reviser.run(manager, prompts, 0, greedy, new Rng(0))
                    : reviser.revise(manager, prompts, first, rounds, greedy, new Rng(0));
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    /** Gold reward and win rate against the first answers per round (means within families, then over families). */
    static Curve curve(List<Problem> problems, List<String> first, SelfRevision.Rounds r) {
        BradleyTerryOracle judge = new BradleyTerryOracle(ORACLE_TEMPERATURE);
        int rounds = r.rounds();
        double[] gold = new double[rounds + 1], win = new double[rounds + 1], repaired = new double[rounds + 1],
                kept = new double[rounds + 1];
        for (int k = 0; k <= rounds; k++) {
            Map<String, double[]> g = new LinkedHashMap<>(), w = new LinkedHashMap<>();
            for (int i = 0; i < problems.size(); i++) {
                Problem p = problems.get(i);
                String y = r.round(k).get(i);
                double[] gs = g.computeIfAbsent(p.family(), f -> new double[2]);
                gs[0] += p.score(y);
                gs[1]++;
                double[] ws = w.computeIfAbsent(p.family(), f -> new double[2]);
                ws[0] += judge.probability(p, y, first.get(i));
                ws[1]++;
            }
            gold[k] = g.values().stream().mapToDouble(v -> v[0] / v[1]).average().orElseThrow();
            win[k] = w.values().stream().mapToDouble(v -> v[0] / v[1]).average().orElseThrow();
            double unsolvedGold = 0, keptSolved = 0;
            int unsolved = 0, solved = 0;
            for (int i = 0; i < problems.size(); i++) {
                Problem p = problems.get(i);
                double now = p.score(r.round(k).get(i));
                if (p.score(first.get(i)) >= SOLVED) {
                    solved++;
                    keptSolved += now >= SOLVED ? 1 : 0;
                } else {
                    unsolved++;
                    unsolvedGold += now;
                }
            }
            repaired[k] = unsolved == 0 ? Double.NaN : unsolvedGold / unsolved;
            kept[k] = solved == 0 ? Double.NaN : keptSolved / solved;
        }
        List<String> samples = new ArrayList<>();
        java.util.Set<String> shown = new java.util.HashSet<>();
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            if (shown.add(p.family())) {
                StringBuilder b = new StringBuilder("`" + p.prompt().strip() + "` (reference `" + p.reference() + "`):");
                for (int k = 0; k <= rounds; k++) {
                    b.append(" y").append(k).append(" `").append(r.round(k).get(i).strip()).append("`");
                }
                samples.add(b.toString());
            }
        }
        double solvedFirst = problems.isEmpty() ? Double.NaN : (double) java.util.stream.IntStream.range(0, problems.size())
                .filter(i -> problems.get(i).score(first.get(i)) >= SOLVED).count() / problems.size();
        return new Curve(gold, win, repaired, kept, solvedFirst, samples);
    }

    private static double[] repairedOrKept(List<SeedResult> seeds, String method, int round, boolean kept) {
        return seeds.stream().mapToDouble(r -> (kept ? r.curves().get(method).kept() : r.curves().get(method).repaired())[round]).toArray();
    }

    private static double[] at(List<SeedResult> seeds, String method, int round, boolean win) {
        return seeds.stream().mapToDouble(r -> (win ? r.curves().get(method).win() : r.curves().get(method).gold())[round]).toArray();
    }

    private static double[] minus(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static double[] minus(double[] a, double b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b;
        }
        return d;
    }

    private static boolean above(double[] d) {
        return Stats.mean(d) - Stats.ci95HalfWidth(d) > 0;
    }

    private static Outcome report(Settings s, List<SeedResult> seeds, double baselineSeconds, double total, Path baseRun) {
        int done = seeds.size();
        Curve prompting = seeds.getFirst().curves().get("prompting");
        double y0 = prompting.gold()[0];
        boolean overOriginal = true, overPrompting = true;
        StringBuilder per = new StringBuilder();
        for (int k = 1; k <= s.rounds(); k++) {
            double[] goldVsY0 = minus(at(seeds, "PIT", k, false), y0);
            double[] winVsY0 = minus(at(seeds, "PIT", k, true), 0.5);
            double[] goldVsPrompt = minus(at(seeds, "PIT", k, false), at(seeds, "prompting", k, false));
            double[] winVsPrompt = minus(at(seeds, "PIT", k, true), at(seeds, "prompting", k, true));
            overOriginal &= above(goldVsY0) && above(winVsY0);
            overPrompting &= above(goldVsPrompt) && above(winVsPrompt);
            per.append(String.format(Locale.ROOT, "round %d: gold - y0 %s, win rate - 1/2 %s, gold - prompting %s, win rate - prompting %s; ",
                    k, meanCi(goldVsY0), meanCi(winVsY0), meanCi(goldVsPrompt), meanCi(winVsPrompt)));
        }
        boolean held = overOriginal && overPrompting && done == s.seeds();
        String status = done < s.seeds() ? "INCONCLUSIVE (" + done + " of " + s.seeds() + " seeds finished)" : held ? "HELD" : "NOT HELD";
        String verdict = String.format(Locale.ROOT, "%s: PIT's revisions %s the original responses and %s the prompting-only revision "
                        + "baseline on mean gold reward and oracle win rate in every round 1..%d (95%% t over %d seeds, lower bound > 0). %s",
                status, overOriginal ? "beat" : "do not reliably beat", overPrompting ? "beat" : "do not reliably beat", s.rounds(), done,
                per.toString().replaceAll("; $", "."));

        StringBuilder md = new StringBuilder();
        md.append("# PIT: implicit self-improvement from preference data\n\n");
        md.append("Claim (Wang et al. 2023, \"Enabling Language Models to Implicitly Learn Self-Improvement\", arXiv 2310.00898): "
                + "a reviser trained with PIT (reviser SFT, a gap reward model, RL with a two-stage curriculum) improves the policy "
                + "model's responses, over the original responses and over prompting-based revision, and revisions can be iterated.\n\n");
        md.append("**Verdict: ").append(verdict).append("**\n\n");
        md.append("## Set-up\n\n");
        PitSettings p = s.pit();
        md.append("* Policy model M_P and starting point of every PIT model: the shared SFT base `").append(baseRun).append("` (")
                .append(s.base().equals(BaseSft.Spec.standard()) ? "`BaseSft.Spec.standard()`: 'small' Llama, 0.84M parameters, byte "
                        + "tokenizer, 2500 updates on 1000 problems of each held-in family" : "spec " + s.base().canonical())
                .append(").\n");
        md.append("* Per seed s (`lm.pit.Pit`): pairs of the reference answer and its graded corruptions of ").append(p.pairProblems())
                .append(" fresh problems (problem seed 100+s) of each of ").append(String.join(", ", s.families()))
                .append(", labelled by a Bradley-Terry oracle over the gold reward (temperature ").append(p.oracleTemperature())
                .append("), ").append(p.maxPairs()).append(" kept; reviser SFT on revise(x, yl) -> yw, ").append(p.reviserSteps())
                .append(" updates (`").append(String.join(" ", p.reviserOverrides())).append("`); gap reward model from the base's trunk, ")
                .append(p.rewardSteps()).append(" updates over the five orderings of each pair (`").append(String.join(" ", p.rewardOverrides()))
                .append("`); PPO-max (`lm.rl.PpoMax`, `").append(String.join(" ", p.ppoOverrides())).append("`) with reward R_PIT and KL "
                        + "to the reviser SFT: stage 1 ").append(p.stage1Iterations()).append(" iterations on drafts from the data (each "
                        + "pair's yl and one sample of M_P per problem), stage 2 ").append(p.stage2Iterations())
                .append(" iterations on drafts sampled by the stage-1 policy (").append(p.stage2Prompts()).append(" prompts).\n");
        md.append("* Evaluation: ").append(s.evalProblems()).append(" fresh problems (seed 1000003) per family; y0 = M_P's greedy "
                + "answer (the original response); then ").append(s.rounds()).append(" greedy revisions y(k+1) = M(. | x, Draft: y(k)) "
                + "(`lm.align.RevisionPrompt`, `SelfRevision.revise`) by each reviser: **prompting** (M_P itself with the same revision "
                + "prompt, no PIT training; deterministic, so the same for every seed), **reviser-SFT** (M_PIT^SFT, no RL), "
                + "**PIT stage 1** and **PIT** (after stage 2). Win rate = P(y(k) > y0) under the Bradley-Terry oracle (temperature "
                + "0.1; equal gold rewards count 1/2); both quantities are averaged within each family and then over families. "
                + "Intervals: Student-t 95% over seeds; differences paired by seed.\n");
        md.append("* Seeds: 0..").append(done - 1).append(" of ").append(s.seeds()).append(" planned.\n\n");
        md.append(String.format(Locale.ROOT, "Original responses y0: mean gold reward **%.3f**.%n%n", y0));
        md.append("## Mean gold reward by revision round\n\n").append(table(s, seeds, false));
        md.append("\n## Win rate against the original responses y0\n\n").append(table(s, seeds, true));
        md.append("\n## PIT minus baselines, paired by seed\n\n| round | gold: PIT - y0 | gold: PIT - prompting | win: PIT - prompting "
                + "| gold: PIT - reviser-SFT | win: PIT - reviser-SFT |\n|---|---|---|---|---|---|\n");
        for (int k = 1; k <= s.rounds(); k++) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |%n", k, meanCi(minus(at(seeds, "PIT", k, false), y0)),
                    meanCi(minus(at(seeds, "PIT", k, false), at(seeds, "prompting", k, false))),
                    meanCi(minus(at(seeds, "PIT", k, true), at(seeds, "prompting", k, true))),
                    meanCi(minus(at(seeds, "PIT", k, false), at(seeds, "reviser-SFT", k, false))),
                    meanCi(minus(at(seeds, "PIT", k, true), at(seeds, "reviser-SFT", k, true)))));
        }
        Curve firstSeed = seeds.getFirst().curves().get("prompting");
        md.append(String.format(Locale.ROOT, "%n## Where the change comes from: unsolved and solved original responses%n%n"
                + "Pooled over all evaluation problems: y0 solves %.0f%% of them. \"Unsolved y0: gold\" is the mean gold reward of "
                + "round k's responses on the problems whose y0 is not solved (round 0: that of y0 itself); \"solved y0 kept\" is "
                + "the share of the problems with a solved y0 whose round-k response is still solved.%n%n",
                100 * firstSeed.solvedShare()));
        md.append("| round |");
        METHODS.forEach(m -> md.append(" unsolved y0: gold, ").append(m).append(" |"));
        METHODS.forEach(m -> md.append(" solved y0 kept, ").append(m).append(" |"));
        md.append("\n|---|").append("---|".repeat(2 * METHODS.size())).append('\n');
        for (int k = 0; k <= s.rounds(); k++) {
            md.append("| ").append(k).append(" |");
            for (String m : METHODS) {
                md.append(' ').append(meanCi(repairedOrKept(seeds, m, k, false))).append(" |");
            }
            for (String m : METHODS) {
                md.append(' ').append(meanCi(repairedOrKept(seeds, m, k, true))).append(" |");
            }
            md.append('\n');
        }
        md.append("\n![quality by revision round](").append(plotName(s.report())).append(")\n\n");
        md.append("## Gap reward model: held-out ordering accuracy\n\n| seed | all |");
        GapOrdering.NAMES.forEach(n -> md.append(' ').append(n).append(" |"));
        md.append("\n|---|---|").append("---|".repeat(GapOrdering.NAMES.size())).append('\n');
        for (int i = 0; i < done; i++) {
            md.append("| ").append(i).append(" |");
            seeds.get(i).gapAccuracy().values().forEach(v -> md.append(String.format(Locale.ROOT, " %.3f |", v)));
            md.append('\n');
        }
        md.append("\n## RL stages: rollouts (first quarter -> last quarter of the iterations)\n\n| seed | stage | gap reward | rollout gold "
                + "reward | KL to reviser-SFT |\n|---|---|---|---|---|\n");
        for (int i = 0; i < done; i++) {
            for (var e : Map.of("1", seeds.get(i).stage1(), "2", seeds.get(i).stage2()).entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).toList()) {
                Map<String, Double> t = e.getValue();
                if (!t.isEmpty()) {
                    md.append(String.format(Locale.ROOT, "| %d | %s | %.3f -> %.3f | %.3f -> %.3f | %.2f -> %.2f |%n", i, e.getKey(),
                            t.get("reward_raw_first"), t.get("reward_raw_last"), t.get("gold_reward_first"), t.get("gold_reward_last"),
                            t.get("kl_first"), t.get("kl_last")));
                }
            }
        }
        md.append("\n## Examples (seed 0, first problem of each family)\n\n");
        for (String m : METHODS) {
            md.append(m).append(":\n\n");
            seeds.getFirst().curves().get(m).samples().forEach(l -> md.append("* ").append(l).append('\n'));
            md.append('\n');
        }
        md.append(String.format(Locale.ROOT, "## Cost%n%nWall clock on a shared 2-core machine (nice, FULCRUM_LANES=1): baseline "
                        + "answers and prompting revisions %.0f s; per seed (PIT pipeline and evaluation) %s s; the whole experiment "
                        + "%.0f s (the cached base not counted).%n", baselineSeconds,
                fmt(seeds.stream().mapToDouble(SeedResult::seconds).toArray()), total));
        md.append("\n## Command\n\n```bash\nbin/fulcrum experiment pit").append(commandArgs(s)).append("\n```\n");
        AtomicFiles.writeString(s.report(), md.toString());
        plot(s, seeds, s.report().resolveSibling(plotName(s.report())));
        return new Outcome(held, verdict);
    }

    private static String table(Settings s, List<SeedResult> seeds, boolean win) {
        StringBuilder b = new StringBuilder("| round |");
        METHODS.forEach(m -> b.append(' ').append(m).append(" |"));
        METHODS.forEach(m -> b.append(' ').append(m).append(" per seed |"));
        b.append("\n|---|").append("---|".repeat(2 * METHODS.size())).append('\n');
        for (int k = 0; k <= s.rounds(); k++) {
            b.append("| ").append(k).append(" |");
            for (String m : METHODS) {
                b.append(' ').append(meanCi(at(seeds, m, k, win))).append(" |");
            }
            for (String m : METHODS) {
                b.append(' ').append(fmt(at(seeds, m, k, win))).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static void plot(Settings s, List<SeedResult> seeds, Path png) {
        double[] rounds = new double[s.rounds() + 1];
        for (int k = 0; k <= s.rounds(); k++) {
            rounds[k] = k;
        }
        List<XYChart> charts = new ArrayList<>();
        for (boolean win : new boolean[] {false, true}) {
            XYChart c = new XYChartBuilder().width(560).height(380).title(win ? "win rate vs original y0" : "mean gold reward")
                    .xAxisTitle("revision round").yAxisTitle(win ? "P(y(k) > y0), BT oracle" : "gold reward").build();
            for (String m : METHODS) {
                double[] mean = new double[rounds.length], err = new double[rounds.length];
                for (int k = 0; k < rounds.length; k++) {
                    mean[k] = Stats.mean(at(seeds, m, k, win));
                    err[k] = seeds.size() > 1 ? Stats.ci95HalfWidth(at(seeds, m, k, win)) : 0;
                }
                c.addSeries(m, rounds, mean, err);
            }
            charts.add(c);
        }
        Charts.saveGrid(charts, png);
    }

    private static String plotName(Path report) {
        String name = report.getFileName().toString();
        return (name.endsWith(".md") ? name.substring(0, name.length() - 3) : name) + ".png";
    }

    private static String commandArgs(Settings s) {
        PitSettings p = s.pit();
        StringBuilder b = new StringBuilder();
        b.append(" --families ").append(String.join(",", s.families())).append(" --seeds ").append(s.seeds()).append(" --rounds ")
                .append(s.rounds()).append(" --eval-problems ").append(s.evalProblems()).append(" --pair-problems ").append(p.pairProblems())
                .append(" --max-pairs ").append(p.maxPairs()).append(" --reviser-steps ").append(p.reviserSteps()).append(" --reward-steps ")
                .append(p.rewardSteps()).append(" --stage1-iterations ").append(p.stage1Iterations()).append(" --stage2-iterations ")
                .append(p.stage2Iterations()).append(" --stage2-prompts ").append(p.stage2Prompts());
        b.append(" --work ").append(s.work()).append(" --report ").append(s.report());
        return b.toString();
    }

    private static String meanCi(double[] v) {
        return v.length < 2 ? String.format(Locale.ROOT, "%.3f", Stats.mean(v))
                : String.format(Locale.ROOT, "%.3f ± %.3f", Stats.mean(v), Stats.ci95HalfWidth(v));
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", x));
        }
        return b.toString();
    }
}
