package dev.fulcrum.experiment.lm;

import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.core.stats.TwoSampleTests;
import dev.fulcrum.experiment.lm.UnpackingExperiment.Context;
import dev.fulcrum.experiment.lm.UnpackingExperiment.Measured;
import dev.fulcrum.experiment.lm.UnpackingExperiment.Settings;
import dev.fulcrum.experiment.lm.UnpackingGrid.Cell;
import dev.fulcrum.experiment.lm.UnpackingGrid.Step;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** The report of {@link UnpackingExperiment}: set-up, the cell table, factor effects and ranking, plot and verdict. */
final class UnpackingReport {
    /** The paper's ranking of the factors by effect, largest first (Ivison et al. 2024). */
    static final List<String> PAPER_RANKING = List.of("data quality", "algorithm", "reward model size", "prompts");
    static final double ALPHA = 0.05;

    /**
     * One step's effect: differences of the means (to - from) of the win rate against SFT and of the gold reward, each with
     * the half-width of its Welch 95% interval and the Welch p-value.
     */
    record Effect(Step step, double win, double winHalfWidth, double winP, double gold, double goldHalfWidth, double goldP) {
        boolean resolved() {
            return winP < ALPHA;
        }
    }

    private UnpackingReport() {
    }

    static Map<String, List<Measured>> byCell(List<Measured> runs) {
        Map<String, List<Measured>> by = new LinkedHashMap<>();
        runs.forEach(r -> by.computeIfAbsent(r.cell(), k -> new ArrayList<>()).add(r));
        return by;
    }

    static double[] column(List<Measured> runs, ToDoubleFunction<Measured> f) {
        return runs.stream().mapToDouble(f).toArray();
    }

    /** The effects of the steps whose two cells were run. */
    static List<Effect> effects(List<Step> steps, Map<String, List<Measured>> by) {
        List<Effect> out = new ArrayList<>();
        for (Step s : steps) {
            List<Measured> from = by.get(s.from()), to = by.get(s.to());
            if (from == null || to == null) {
                continue;
            }
            double[] wf = column(from, Measured::winRate), wt = column(to, Measured::winRate);
            double[] gf = column(from, Measured::goldReward), gt = column(to, Measured::goldReward);
            out.add(new Effect(s, Stats.mean(wt) - Stats.mean(wf), welchHalfWidth(wt, wf), TwoSampleTests.welch(wt, wf).pValue(),
                    Stats.mean(gt) - Stats.mean(gf), welchHalfWidth(gt, gf), TwoSampleTests.welch(gt, gf).pValue()));
        }
        return out;
    }

    /** Half-width of the 95% Welch interval of mean(a) - mean(b). */
    static double welchHalfWidth(double[] a, double[] b) {
        double va = Math.pow(Stats.std(a), 2) / a.length, vb = Math.pow(Stats.std(b), 2) / b.length;
        if (va + vb == 0) {
            return 0;
        }
        double df = Math.pow(va + vb, 2) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        return Stats.tQuantile975(df) * Math.sqrt(va + vb);
    }

    /** The primary steps' effects ranked by the size of their effect on the win rate, largest first. */
    static List<Effect> ranking(List<Effect> effects) {
        return effects.stream().filter(e -> e.step().primary())
                .sorted(Comparator.comparingDouble((Effect e) -> -Math.abs(e.win()))).toList();
    }

    /**
     * HELD: all four factors ran, they rank as in the paper by the size of their effect on the win rate, and the top
     * one (data quality) is resolved (Welch p &lt; 0.05). NOT HELD: a resolved effect is negative (the paper finds every
     * factor's change helps), or a factor with a resolved effect outranks a factor the paper puts above it. INCONCLUSIVE
     * otherwise (the order differs only among unresolved effects, or the top effect is
     * not resolved, or not every factor ran).
     */
    static String verdict(List<Effect> ranked) {
        List<String> order = ranked.stream().map(e -> e.step().factor()).toList();
        if (!order.containsAll(PAPER_RANKING)) {
            return "INCONCLUSIVE: not every factor ran (ran: " + String.join(", ", order) + ")";
        }
        for (Effect e : ranked) {
            if (e.resolved() && e.win() < 0) {
                return String.format(Locale.ROOT, "NOT HELD: %s lowers the win rate (%+.3f, p = %s), where the paper finds it helps",
                        e.step().factor(), e.win(), p(e.winP()));
            }
        }
        List<String> against = ranked.stream().filter(e -> e.win() < 0).map(e -> String.format(Locale.ROOT, "%s %+.3f (p = %s)",
                e.step().factor(), e.win(), p(e.winP()))).toList();
        String direction = against.isEmpty() ? "" : "; against the paper's direction, though not resolved: " + String.join(", ", against);
        for (int i = 0; i < ranked.size(); i++) {
            Effect e = ranked.get(i);
            for (int j = i + 1; j < ranked.size(); j++) {
                Effect below = ranked.get(j);
                if (e.resolved() && PAPER_RANKING.indexOf(below.step().factor()) < PAPER_RANKING.indexOf(e.step().factor())) {
                    return "NOT HELD: " + e.step().factor() + " (a resolved effect, p = " + p(e.winP()) + ") outranks "
                            + below.step().factor() + ", which the paper ranks above it";
                }
            }
        }
        if (order.equals(PAPER_RANKING) && ranked.getFirst().resolved()) {
            return "HELD: the factors rank as in the paper (" + String.join(" > ", order) + ") and the data-quality effect is resolved"
                    + direction;
        }
        return "INCONCLUSIVE: ranked " + String.join(" > ", order) + "; no resolved effect contradicts the paper's order, "
                + (order.equals(PAPER_RANKING) ? "but the top effect is not resolved" : "but the order differs among unresolved effects")
                + direction;
    }

    /** The PPO-vs-DPO sub-claim (PPO better by a small margin) from the algorithm steps. */
    static String algorithmClaim(List<Effect> effects) {
        List<String> lines = new ArrayList<>();
        for (Effect e : effects) {
            if (e.step().factor().startsWith("algorithm")) {
                lines.add(String.format(Locale.ROOT, "%s: PPO - DPO = %+.3f ± %.3f in win rate (Welch p = %s): %s", e.step().change(), e.win(),
                        e.winHalfWidth(), p(e.winP()), !e.resolved() ? "not resolved" : e.win() > 0 ? "PPO better (as the paper)"
                                : "DPO better (against the paper)"));
            }
        }
        return lines.isEmpty() ? "DPO and PPO were not both run." : String.join("; ", lines) + ".";
    }

    /** A chart label. */
    static String shortName(Step s) {
        return s.primary() ? s.factor().replace("reward model size", "RM size") : s.factor().replace(" (policy-sized RM)", " (big RM)");
    }

    static String p(double p) {
        return Double.isNaN(p) ? "n/a" : p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String ci(double[] x) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", Stats.mean(x), Stats.mean(x) - Stats.ci95HalfWidth(x),
                Stats.mean(x) + Stats.ci95HalfWidth(x));
    }

    static String command(Settings s) {
        return String.format(Locale.ROOT, "nice -n 10 env FULCRUM_LANES=1 bin/fulcrum experiment unpacking --cells %s --seeds %d "
                        + "--first-seed %d --per-family %d --pairs-per-family %d --extra-prompt-factor %d --dpo-steps %d --dpo-batch-size %d "
                        + "--dpo-learning-rate %s --ppo-iterations %d --ppo-learning-rate %s --reward-steps %d --eval-per-family %d",
                String.join(",", s.cells()), s.seeds(), s.firstSeed(), s.perFamily(), s.pairsPerFamily(), s.extraPromptFactor(), s.dpoSteps(),
                s.dpoBatchSize(), s.dpoLearningRate(), s.ppoIterations(), s.ppoLearningRate(), s.rewardSteps(), s.evalPerFamily())
                + String.join("", s.ppoOverrides().stream().map(o -> " --ppo-set " + o).toList());
    }

    static void write(Settings s, Context c, List<Measured> runs, double minutes) {
        Map<String, List<Measured>> by = byCell(runs);
        List<Cell> cells = UnpackingGrid.select(s.cells());
        List<Effect> effects = effects(UnpackingGrid.steps(cells), by);
        List<Effect> ranked = ranking(effects);
        String verdict = verdict(ranked);
        StringBuilder md = new StringBuilder("# Unpacking DPO and PPO: four factors at toy scale (issue 7)\n\n");
        md.append("Claim (Ivison et al. 2024, \"Unpacking DPO and PPO: Disentangling Best Practices for Learning from Preference ")
                .append("Feedback\"): of four factors, preference-data quality matters most, then the learning algorithm (PPO beats ")
                .append("DPO by a small margin), then the reward model's size (for PPO), then extra unlabelled prompts for PPO's ")
                .append("policy training: data > algorithm > reward model > prompts.\n\n");
        md.append("**Verdict: ").append(verdict).append(".** ").append(algorithmClaim(effects)).append("\n\n");
        md.append("## Command\n\n```bash\n").append(command(s)).append("\n```\n\n");
        md.append(String.format(Locale.ROOT, "Wall clock of this invocation (bases cached; finished runs are reused, not retrained): %.1f "
                + "minutes on two shared cores. Training time summed over the runs: %.1f minutes (reward models: %.1f).%n%n", minutes,
                runs.stream().mapToDouble(Measured::trainSeconds).sum() / 60, c.rewardModels().values().stream()
                        .mapToDouble(UnpackingExperiment.RewardModelInfo::seconds).sum() / 60));

        md.append("## Set-up\n\n");
        md.append(String.format(Locale.ROOT, "* Policy, DPO reference and PPO's KL anchor: the SFT model `%s` (%s, %d parameters).%n",
                c.policyBase(), s.policyBase().modelSize(), c.policyParameters()));
        md.append("* Families: ").append(UnpackingExperiment.FAMILIES).append(" (the held-in families without tool calls). Labelled ")
                .append(String.format(Locale.ROOT, "problems: %d per family (problem seed %d); from each, the reference answer and its "
                        + "graded corruptions give every pair; %d pairs per family are drawn for each quality:%n", s.perFamily(),
                        UnpackingExperiment.DATA_SEED, s.pairsPerFamily()));
        for (UnpackingData.Dataset d : c.datasets().values()) {
            UnpackingData.Quality q = d.quality();
            md.append(String.format(Locale.ROOT, "  * **%s**: %s, Bradley-Terry labels over the gold reward at temperature %s: %d pairs, "
                            + "labels right (chosen has the higher gold reward) %.1f%%, mean gold gap %.3f.%n", q.name(),
                    q.weakPairsOnly() ? "only pairs of two corruptions (two weak responses; the reference answer never appears)"
                            : "only pairs whose gold rewards differ by at least " + q.minGoldGap() + " (reference answer included)",
                    q.temperature(), d.pairs().size(), 100 * d.labelAccuracy(), d.meanGoldGap()));
        }
        md.append(String.format(Locale.ROOT, "* DPO: sigmoid loss, beta 0.1, %d updates of %d pairs, peak learning rate %s (warm-up "
                + "10%%, cosine to a tenth), reference scores precomputed.%n", s.dpoSteps(), s.dpoBatchSize(), s.dpoLearningRate()));
        md.append(String.format(Locale.ROOT, "* Reward models (Bradley-Terry, centering 0.01): trained once (seed %d) on the high-quality "
                + "pairs, 10%% of prompts held out, %d updates of 32 pairs, learning rate 5e-4:%n", s.firstSeed(), s.rewardSteps()));
        for (UnpackingExperiment.RewardModelInfo r : c.rewardModels().values()) {
            md.append(String.format(Locale.ROOT, "  * %s: from `%s`, %d parameters; held-out pairwise accuracy %.3f, agreement with the "
                            + "gold order %.3f.%n", r.size() == UnpackingGrid.RewardModel.SMALLER ? "smaller" : "policy-sized",
                    r.size() == UnpackingGrid.RewardModel.SMALLER ? c.smallerRewardBase() : c.policyBase(), r.parameters(),
                    r.heldOutAccuracy(), r.heldOutGoldAgreement()));
        }
        md.append(String.format(Locale.ROOT, "* PPO: PPO-max (`lm ppo`, KL eta 0.05, reward normalisation, critic initialised from the "
                        + "reward model and pre-trained for 4 batches), %d iterations of 32 rollouts (at most 48 new tokens), minibatches "
                        + "of 8, learning rate %s for policy and critic. Prompts: the %d labelled problems per family, or %dx as many "
                        + "(the labelled ones and further problems of the same families, never labelled).%n", s.ppoIterations(),
                s.ppoLearningRate(), s.perFamily(), s.extraPromptFactor()));
        md.append(String.format(Locale.ROOT, "* Evaluation: greedy responses (at most %d tokens) to %d fresh held-in problems (seed %d, "
                        + "%d per family, training prompts skipped). Win rate: P(response > SFT's response) under the Bradley-Terry "
                        + "oracle (t = %s; equal gold rewards count 1/2), mean over families; gold reward in [0, 1]; solve rate: gold "
                        + "reward 1. Seeds %d..%d per cell (data order, rollouts); the data and reward models are shared by the seeds.%n%n",
                UnpackingExperiment.EVAL_MAX_NEW_TOKENS, c.evalProblems(), UnpackingExperiment.EVAL_SEED, s.evalPerFamily(),
                UnpackingExperiment.JUDGE_TEMPERATURE, s.firstSeed(), s.firstSeed() + s.seeds() - 1));

        md.append("## Cells\n\n");
        md.append(String.format(Locale.ROOT, "SFT model on the same problems: mean gold reward **%.3f**, solve rate %.3f (win rate 0.5 "
                + "against itself). Means over seeds with 95%% t-intervals.%n%n", c.sftGold(), c.sftSolve()));
        md.append("| cell | data | algorithm | reward model | prompts | win rate vs SFT | gold reward | solve rate | win rate per seed | training s |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---:|\n");
        for (Cell cell : cells) {
            List<Measured> rs = by.get(cell.name());
            if (rs == null) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.0f |%n", cell.name(),
                    cell.data().name().toLowerCase(Locale.ROOT), cell.algorithm(), switch (cell.rewardModel()) {
                        case NONE -> "-";
                        case SMALLER -> "smaller";
                        case POLICY_SIZE -> "policy-sized";
                    }, cell.prompts().name().toLowerCase(Locale.ROOT), ci(column(rs, Measured::winRate)), ci(column(rs, Measured::goldReward)),
                    ci(column(rs, Measured::solveRate)), String.join(", ", rs.stream().map(m -> String.format(Locale.ROOT, "%.3f", m.winRate())).toList()),
                    Stats.mean(column(rs, Measured::trainSeconds))));
        }
        md.append("\n## Factor effects (one factor changed at a time)\n\n");
        md.append("Difference of the means (second cell minus first) with its 95% Welch interval and Welch p-value.\n\n");
        md.append("| factor | change | cells | Δ win rate | p | Δ gold reward | p |\n|---|---|---|---|---:|---|---:|\n");
        for (Effect e : effects) {
            md.append(String.format(Locale.ROOT, "| %s%s | %s | %s → %s | %+.3f ± %.3f | %s | %+.3f ± %.3f | %s |%n", e.step().factor(),
                    e.step().primary() ? "" : " (supplementary)", e.step().change(), e.step().from(), e.step().to(), e.win(), e.winHalfWidth(),
                    p(e.winP()), e.gold(), e.goldHalfWidth(), p(e.goldP())));
        }
        md.append("\n**Ranking here** (by |Δ win rate|): ");
        md.append(ranked.isEmpty() ? "(none of the four primary steps ran)" : String.join(" > ", ranked.stream().map(e -> String.format(Locale.ROOT, "%s (%+.3f, p %s)", e.step().factor(), e.win(),
                p(e.winP()))).toList()));
        md.append(".  \n**Paper's ranking**: ").append(String.join(" > ", PAPER_RANKING)).append(".\n\n");
        String png = s.report().getFileName().toString().replace(".md", ".png");
        plot(cells, by, effects, c.sftGold(), s.report().resolveSibling(png));
        md.append("![win rate and gold reward per cell; factor effects](").append(png).append(")\n\n");
        md.append("Per run:\n\n| cell | seed | win rate [bootstrap 95%] | gold reward | solve rate | training s |\n|---|---:|---|---:|---:|---:|\n");
        for (Measured m : runs) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.3f [%.3f, %.3f] | %.3f | %.3f | %.0f |%n", m.cell(), m.seed(), m.winRate(),
                    m.winLo(), m.winHi(), m.goldReward(), m.solveRate(), m.trainSeconds()));
        }
        md.append("\nVerdict rule: HELD when all four factors ran, rank as in the paper by |Δ win rate| and the top effect is resolved ")
                .append("(Welch p < 0.05); NOT HELD when a resolved effect is negative (the paper finds each change helps) or outranks a ")
                .append("factor the paper puts above it; INCONCLUSIVE otherwise.\n");
        AtomicFiles.writeString(s.report(), md.toString());
    }

    private static void plot(List<Cell> cells, Map<String, List<Measured>> by, List<Effect> effects, double sftGold, Path png) {
        List<String> names = cells.stream().map(Cell::name).filter(by::containsKey).toList();
        double[][] means = new double[2][names.size()], hw = new double[2][names.size()];
        for (int i = 0; i < names.size(); i++) {
            double[] w = column(by.get(names.get(i)), Measured::winRate), g = column(by.get(names.get(i)), Measured::goldReward);
            means[0][i] = Stats.mean(w);
            hw[0][i] = Stats.ci95HalfWidth(w);
            means[1][i] = Stats.mean(g);
            hw[1][i] = Stats.ci95HalfWidth(g);
        }
        CategoryChart cellsChart = RankingAccuracyExperiment.chart(names, means, hw, new String[] {"win rate vs SFT", "gold reward"},
                String.format(Locale.ROOT, "cells (mean, 95%% t; SFT gold reward %.3f)", sftGold), "");
        List<CategoryChart> charts = new ArrayList<>(List.of(cellsChart));
        if (!effects.isEmpty()) {
            CategoryChart e = new CategoryChartBuilder().width(720).height(420).title("factor effects (Welch 95%)")
                    .yAxisTitle("difference").build();
            List<String> factors = effects.stream().map(x -> shortName(x.step())).toList();
            e.addSeries("Δ win rate", factors, effects.stream().map(x -> (Number) x.win()).toList(),
                    effects.stream().map(x -> (Number) x.winHalfWidth()).toList());
            e.addSeries("Δ gold reward", factors, effects.stream().map(x -> (Number) x.gold()).toList(),
                    effects.stream().map(x -> (Number) x.goldHalfWidth()).toList());
            charts.add(e);
        }
        Charts.saveGrid(charts, png);
    }
}
