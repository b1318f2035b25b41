package dev.fulcrum.experiment.lm;

import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.experiment.lm.RankingAccuracyExperiment.Measured;
import dev.fulcrum.lm.iterative.OnPolicyPairs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.CategoryChart;

/** docs/results/ranking-accuracy.md and its chart: tables of means with 95% t-intervals over seeds, per-seed values, verdicts. */
final class RankingAccuracyReport {
    private RankingAccuracyReport() {
    }

    /**
     * Sizes of the data and the run: oracle training pairs, held-out pairs, diagnosed training pairs (per source), win-rate
     * problems, what the on-policy sampling gave (null without on-policy pairs), wall-clock minutes.
     */
    record Data(int trainPairs, int heldOutPairs, int trainSample, int evalProblems, OnPolicyPairs.Stats onPolicy, double minutes) {
    }

    static void write(RankingAccuracyExperiment.Settings s, Path base, List<Measured> models, List<String> verdicts, int trainPairs,
                      int heldOutPairs, int trainSample, int evalProblems, double minutes) {
        write(s, base, models, verdicts, new Data(trainPairs, heldOutPairs, trainSample, evalProblems, null, minutes));
    }

    static void write(RankingAccuracyExperiment.Settings s, Path base, List<Measured> models, List<String> verdicts, Data data) {
        int trainPairs = data.trainPairs(), heldOutPairs = data.heldOutPairs(), trainSample = data.trainSample();
        int evalProblems = data.evalProblems();
        double minutes = data.minutes();
        Path png = s.report().resolveSibling(stem(s.report()) + ".png");
        StringBuilder md = new StringBuilder();
        md.append("# Ranking accuracy of preference-trained policies (Chen et al. 2024)\n\n");
        md.append("Claim (Chen et al., \"Preference Learning Algorithms Do Not Learn Preference Rankings\", NeurIPS 2024): preference-tuned ")
                .append("models rank most pairs no better than their reference model, far below the ranking accuracy the exact DPO/RLHF ")
                .append("optimum would reach (the idealised ranking accuracy), because DPO rarely flips a pair its reference ranks wrongly ")
                .append("(< 10%); yet the tuned model can still generate better responses.\n\n");
        md.append("## Command\n\n```bash\n").append(command(s)).append("\n```\n\n");
        md.append("## Set-up\n\n");
        md.append(String.format(Locale.ROOT, """
                * Reference and starting policy: the %s SFT base model (`BaseSft`, spec %s; `%s`).
                * Training data: every pair of the ranked responses (reference answer and its graded corruptions) of %d problems per \
                held-in family (problem seed %d; the base model's SFT data uses seed 0), labelled by a Bradley-Terry oracle over the \
                gold reward at temperature 0.1: %d pairs. Held-out pairs: those of %d further problems per family: %d pairs.
                * Training: %d updates of %d pairs, AdamW at peak learning rate %s (warm-up 10%%, cosine to a tenth), reference \
                scores precomputed; losses: %s; seeds %d..%d. Further settings: %s.
                * Diagnostics (`RankingDiagnostics`) against the SFT model as reference: on all held-out pairs and on a fixed sample \
                of %d training pairs. The idealised ranking accuracy is that of the exact optimum of DPO with beta = %s and the \
                oracle's probability p of the chosen response (p = 1 counted as 1 - %s), for every row.
                * Win rate: %s (at most 160 tokens) to %d fresh held-in problems (seed %d) against the SFT model's, \
                judged by the same Bradley-Terry oracle (probability, ties 1/2), mean over families; per seed a 95%% stratified \
                bootstrap interval; across seeds the mean with a 95%% t-interval.
                * Wall clock of the whole experiment: %.1f minutes (nice, FULCRUM_LANES=1, on a 2-core machine shared with other jobs).
                """, s.base().corruptedShare() > 0 ? "mixed-quality (share " + s.base().corruptedShare()
                        + " of the demonstrations are graded corruptions)" : "shared", s.base(), base, s.perFamily(), s.dataSeed(), trainPairs, s.heldOutPerFamily(), heldOutPairs, s.steps(), s.batchSize(),
                s.learningRate(), String.join(", ", s.losses().stream().map(l -> l + " (" + String.join(" ",
                        RankingAccuracyExperiment.lossSettings(l)) + ")").toList()), s.firstSeed(), s.firstSeed() + s.seeds() - 1,
                s.overrides().isEmpty() ? "none" : String.join(" ", s.overrides()), trainSample, RankingAccuracyExperiment.IDEALISED_BETA,
                RankingAccuracyExperiment.IDEALISED_EPSILON, s.evalTemperature() == 0 ? "greedy responses"
                        : "one response per problem sampled at temperature " + s.evalTemperature() + " (every model from the same random stream)",
                evalProblems, s.evalSeed(), minutes));
        if (s.pairs().contains(RankingAccuracyExperiment.ON_POLICY_PAIRS)) {
            var on = s.onPolicy();
            var st = data.onPolicy();
            md.append(String.format(Locale.ROOT, """
                    * On-policy pairs (rows marked "(on-policy pairs)"): for each of %d training problems (%d per family: the \
                    oracle pairs' problems first, then further ones of the same seed, none of them held out) the SFT model samples \
                    K = %d responses (temperature %s, at most %d tokens, tool calls executed; data seed %d); the best and the worst \
                    by gold reward form the pair when their gap is at least %s%s (ties, identical or blank responses: no pair), with \
                    the Bradley-Terry oracle's probability of the chosen one as p_chosen (`lm.iterative.OnPolicyPairs`). %d of %d \
                    problems gave a pair; mean gold reward of the samples %.3f, of the best of K %.3f, of the worst %.3f; mean gap \
                    of the kept pairs %.3f (%.1f samples/s). Training: %s epochs over them (%d updates of %d pairs) at peak learning \
                    rate %s, otherwise as above. Their training-pair diagnostics are on a sample of these pairs.
                    """, st.prompts(), on.promptsPerFamily(), on.sampling().samplesPerPrompt(), on.sampling().temperature(),
                    on.sampling().maxNewTokens(), s.dataSeed(), on.sampling().minGap(),
                    on.sampling().minChosenReward() > 0 ? " and the chosen one's reward at least " + on.sampling().minChosenReward() : "",
                    st.pairs(), st.prompts(), st.meanSampleReward(),
                    st.meanBestReward(), st.meanWorstReward(), st.meanPairGap(), st.samplesPerSecond(), on.epochs(),
                    on.steps(st.pairs(), s.batchSize()), s.batchSize(), on.learningRate()));
        }

        md.append("\n## Held-out pairs\n\n");
        md.append("| model | ranking accuracy | length-normalised | idealised | alignment gap | per seed (ranking accuracy) |\n|---|---|---|---|---|---|\n");
        for (String name : shown(models)) {
            md.append(row(name, models, m -> m.heldOut().rankingAccuracy(), m -> m.heldOut().lengthNormalised(),
                    m -> m.heldOut().idealised(), m -> m.heldOut().alignmentGap()));
        }
        md.append("\n## Training pairs (a fixed sample) and flips of the reference's rankings\n\n");
        md.append("| model | ranking accuracy | length-normalised | idealised | alignment gap | reference-wrong pairs flipped to right | "
                + "reference-right pairs flipped to wrong | per seed (ranking accuracy) |\n|---|---|---|---|---|---|---|---|\n");
        for (String name : groups(models)) {
            String r = row(name, models, m -> m.train().rankingAccuracy(), m -> m.train().lengthNormalised(), m -> m.train().idealised(),
                    m -> m.train().alignmentGap());
            int cut = r.lastIndexOf(" | ", r.length() - 4);
            md.append(r, 0, cut).append(" | ").append(cell(values(models, name, m -> m.train().shareFlippedToRight()), 3)).append(" | ")
                    .append(cell(values(models, name, m -> m.train().shareFlippedToWrong()), 3)).append(r.substring(cut));
        }
        md.append('\n');
        for (Measured sft : models.stream().filter(m -> m.loss().equals("-")).toList()) {
            md.append(String.format(Locale.ROOT, "The reference ranks %d of the %d sampled %straining pairs wrongly and %d of the %d held-out pairs.%n",
                    sft.train().referenceWrong(), sft.train().referenceWrong() + sft.train().referenceRight(), sft.onPolicy() ? "on-policy " : "",
                    sft.heldOut().referenceWrong(), sft.heldOut().referenceWrong() + sft.heldOut().referenceRight()));
        }

        md.append("\n## Oracle win rate against the SFT model (held-in problems)\n\n");
        md.append("| model | win rate vs SFT | mean gold reward | KL(policy ‖ SFT) estimate (nats per response) | training seconds | per seed: win rate [bootstrap 95%] |\n|---|---|---|---|---|---|\n");
        for (String name : shown(models)) {
            List<Measured> group = group(models, name);
            StringBuilder per = new StringBuilder();
            for (Measured m : group) {
                per.append(per.isEmpty() ? "" : "; ").append(String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", m.winRateVsSft(), m.winLo(), m.winHi()));
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", name,
                    isSft(name) ? "0.5 (itself)" : cell(values(models, name, Measured::winRateVsSft), 3),
                    cell(values(models, name, Measured::meanGoldReward), 3),
                    isSft(name) ? "0" : cell(values(models, name, Measured::klToReference), 2),
                    isSft(name) ? "-" : cell(values(models, name, Measured::trainSeconds), 0),
                    isSft(name) ? "-" : per));
        }
        familyTable(md, models);
        md.append("\n![ranking accuracy and win rate](").append(png.getFileName()).append(")\n\n");
        md.append("## Verdicts\n\n");
        for (String v : verdicts) {
            md.append("* ").append(v).append('\n');
        }
        md.append("\nPer-model numbers (JSON): `").append(s.work().resolve("results.json")).append("` (not committed).\n");
        AtomicFiles.writeString(s.report(), md.toString());
        chart(models, png);
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".md") ? n.substring(0, n.length() - 3) : n;
    }

    static String command(RankingAccuracyExperiment.Settings s) {
        StringBuilder c = new StringBuilder("nice -n 10 env FULCRUM_LANES=1 bin/fulcrum experiment ranking-accuracy --seeds " + s.seeds()
                + " --losses " + String.join(",", s.losses()) + " --per-family " + s.perFamily() + " --held-out-per-family "
                + s.heldOutPerFamily() + " --steps " + s.steps() + " --batch-size " + s.batchSize() + " --learning-rate " + s.learningRate()
                + " --eval-per-family " + s.evalPerFamily());
        if (!s.pairs().equals(List.of(RankingAccuracyExperiment.ORACLE_PAIRS))) {
            var on = s.onPolicy();
            c.append(" --pairs ").append(String.join(",", s.pairs()));
            if (on != null) {
                c.append(" --samples-per-prompt ").append(on.sampling().samplesPerPrompt()).append(" --temperature ")
                        .append(on.sampling().temperature()).append(" --min-gap ").append(on.sampling().minGap())
                        .append(on.sampling().minChosenReward() > 0 ? " --min-chosen-reward " + on.sampling().minChosenReward() : "")
                        .append(" --on-policy-per-family ").append(on.promptsPerFamily()).append(" --on-policy-epochs ").append(on.epochs()).append(" --on-policy-learning-rate ").append(on.learningRate());
            }
        }
        if (!s.report().equals(Path.of("docs/results/ranking-accuracy.md"))) {
            c.append(" --report ").append(s.report());
        }
        if (s.firstSeed() != 0) {
            c.append(" --first-seed ").append(s.firstSeed());
        }
        if (s.evalSeed() != RankingAccuracyExperiment.EVAL_PROBLEM_SEED) {
            c.append(" --eval-seed ").append(s.evalSeed());
        }
        if (s.evalTemperature() > 0) {
            c.append(" --eval-temperature ").append(s.evalTemperature());
        }
        if (s.base().equals(BaseSft.Spec.noisyDemonstrations(s.base().corruptedShare()))) {
            c.append(" --base noisy");
            if (s.base().corruptedShare() != 0.5) {
                c.append(" --corrupted-share ").append(s.base().corruptedShare());
            }
        }
        s.overrides().forEach(o -> c.append(" --set ").append(o));
        return c.toString();
    }

    /** Per family: win rate against SFT and mean gold reward, mean ± 95% t-interval over seeds. */
    private static void familyTable(StringBuilder md, List<Measured> models) {
        List<String> names = shown(models);
        if (models.getFirst().families().isEmpty()) {
            return;
        }
        List<String> families = models.getFirst().families().stream().map(RankingAccuracyExperiment.FamilyScore::family).toList();
        md.append("\n### Per family (win rate vs SFT / mean gold reward)\n\n| family |");
        names.forEach(n -> md.append(' ').append(n).append(" |"));
        md.append("\n|---|").append("---|".repeat(names.size())).append('\n');
        for (String f : families) {
            md.append("| ").append(f).append(" |");
            for (String n : names) {
                ToDoubleFunction<Measured> win = m -> family(m, f).winRate(), gold = m -> family(m, f).goldReward();
                md.append(' ').append(isSft(n) ? "-" : cell(values(models, n, win), 3)).append(" / ")
                        .append(cell(values(models, n, gold), 3)).append(" |");
            }
            md.append('\n');
        }
    }

    private static RankingAccuracyExperiment.FamilyScore family(Measured m, String family) {
        return m.families().stream().filter(x -> x.family().equals(family)).findFirst()
                .orElseThrow(() -> new IllegalStateException(m.model() + " has no numbers for family " + family));
    }

    /** The groups of the held-out and win-rate tables: one SFT row (its numbers do not depend on the pair source), first. */
    private static List<String> shown(List<Measured> models) {
        List<String> groups = groups(models);
        String sft = groups.getFirst();
        return groups.stream().filter(g -> g.equals(sft) || !g.startsWith("sft")).toList();
    }

    private static List<String> groups(List<Measured> models) {
        List<String> out = new ArrayList<>();
        for (Measured m : models) {
            String g = name(m);
            if (!out.contains(g)) {
                out.add(g);
            }
        }
        return out;
    }

    private static boolean isSft(String group) {
        return group.equals("sft") || group.startsWith("sft (");
    }

    private static String name(Measured m) {
        return (m.loss().equals("-") ? "sft" : m.loss()) + (m.onPolicy() ? " (on-policy pairs)" : "");
    }

    private static List<Measured> group(List<Measured> models, String name) {
        return models.stream().filter(m -> name(m).equals(name)).toList();
    }

    private static double[] values(List<Measured> models, String name, ToDoubleFunction<Measured> f) {
        return group(models, name).stream().mapToDouble(f).toArray();
    }

    /** {@code mean ± half-width} (just the value for a single one). */
    static String cell(double[] v, int decimals) {
        String f = "%." + decimals + "f";
        if (v.length == 1) {
            return String.format(Locale.ROOT, f, v[0]);
        }
        return String.format(Locale.ROOT, f + " ± " + f, Stats.mean(v), Stats.ci95HalfWidth(v));
    }

    @SafeVarargs
    private static String row(String name, List<Measured> models, ToDoubleFunction<Measured>... columns) {
        StringBuilder r = new StringBuilder("| ").append(name);
        for (ToDoubleFunction<Measured> c : columns) {
            r.append(" | ").append(cell(values(models, name, c), 3));
        }
        StringBuilder per = new StringBuilder();
        for (double x : values(models, name, columns[0])) {
            per.append(per.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", x));
        }
        return r.append(" | ").append(per).append(" |\n").toString();
    }

    private static void chart(List<Measured> models, Path png) {
        List<String> names = shown(models);
        ToDoubleFunction<Measured>[] f = cast(new ToDoubleFunction[] {(ToDoubleFunction<Measured>) m -> m.heldOut().rankingAccuracy(),
                (ToDoubleFunction<Measured>) m -> m.heldOut().lengthNormalised(), (ToDoubleFunction<Measured>) m -> m.heldOut().idealised()});
        double[][] means = new double[f.length][names.size()], half = new double[f.length][names.size()];
        for (int k = 0; k < f.length; k++) {
            for (int j = 0; j < names.size(); j++) {
                double[] v = values(models, names.get(j), f[k]);
                means[k][j] = Stats.mean(v);
                half[k][j] = v.length > 1 ? Stats.ci95HalfWidth(v) : 0;
            }
        }
        CategoryChart ranking = RankingAccuracyExperiment.chart(names, means, half,
                new String[] {"ranking accuracy", "length-normalised", "idealised"}, "Held-out pairs (mean, 95% CI over seeds)",
                "accuracy");
        List<String> trained = names.subList(1, names.size());
        double[][] win = new double[1][trained.size()], winHalf = new double[1][trained.size()];
        for (int j = 0; j < trained.size(); j++) {
            double[] v = values(models, trained.get(j), Measured::winRateVsSft);
            win[0][j] = Stats.mean(v);
            winHalf[0][j] = v.length > 1 ? Stats.ci95HalfWidth(v) : 0;
        }
        CategoryChart wins = RankingAccuracyExperiment.chart(trained, win, winHalf, new String[] {"win rate vs SFT"},
                "Oracle win rate vs SFT, held-in (0.5 = tie)", "win rate");
        RankingAccuracyExperiment.saveCharts(List.of(ranking, wins), png);
    }

    @SuppressWarnings("unchecked")
    private static ToDoubleFunction<Measured>[] cast(ToDoubleFunction<?>[] a) {
        return (ToDoubleFunction<Measured>[]) a;
    }
}
