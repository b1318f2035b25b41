package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.stats.Stats;
import dev.fulcrum.experiment.lm.UnpackingExperiment.Measured;
import dev.fulcrum.experiment.lm.UnpackingReport.Effect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Effects, ranking, verdict and report of the unpacking experiment on made-up measurements. */
class UnpackingReportTest {
    @TempDir
    Path dir;

    /** Three seeds of a cell with win rates around {@code win} (spread 0.01) and gold rewards 0.1 above. */
    private static List<Measured> cell(String name, double win) {
        List<Measured> out = new ArrayList<>();
        double[] offsets = {-0.01, 0.0, 0.01};
        for (int k = 0; k < 3; k++) {
            double w = win + offsets[k];
            out.add(new Measured(name, k, w, w - 0.05, w + 0.05, w + 0.1, 0.2, 30));
        }
        return out;
    }

    private static List<Measured> runs(double lowData, double dpo, double ppoSmall, double ppo, double ppoExtra) {
        List<Measured> r = new ArrayList<>();
        r.addAll(cell("dpo-low-data", lowData));
        r.addAll(cell("dpo", dpo));
        r.addAll(cell("ppo-small-rm", ppoSmall));
        r.addAll(cell("ppo", ppo));
        r.addAll(cell("ppo-extra-prompts", ppoExtra));
        return r;
    }

    private static List<Effect> effects(List<Measured> runs) {
        return UnpackingReport.effects(UnpackingGrid.STEPS, UnpackingReport.byCell(runs));
    }

    @Test
    void effectsAreDifferencesOfMeansWithWelchTests() {
        List<Effect> e = effects(runs(0.40, 0.50, 0.53, 0.55, 0.555));
        assertEquals(5, e.size());
        assertEquals(0.10, e.get(0).win(), 1e-12);
        assertEquals(0.10, e.get(0).gold(), 1e-12);
        // equal spreads (sd 0.01, n 3): t = 0.1 / sqrt(2 * 0.01^2 / 3), df = 4
        double t = 0.1 / Math.sqrt(2 * 1e-4 / 3);
        assertEquals(2 * (1 - Stats.studentCdf(t, 4)), e.get(0).winP(), 1e-9);
        assertEquals(Stats.tQuantile975(4) * Math.sqrt(2 * 1e-4 / 3), e.get(0).winHalfWidth(), 1e-9);
        assertEquals(0.05, e.get(4).win(), 1e-12); // supplementary: dpo -> ppo
    }

    @Test
    void verdictFollowsTheRanking() {
        // the paper's order, every effect resolved: held
        List<Effect> ranked = UnpackingReport.ranking(effects(runs(0.30, 0.50, 0.60, 0.65, 0.67)));
        assertEquals(UnpackingReport.PAPER_RANKING, ranked.stream().map(x -> x.step().factor()).toList());
        assertTrue(UnpackingReport.verdict(ranked).startsWith("HELD"), UnpackingReport.verdict(ranked));
        // better data (resolved) lowers the win rate: not held, whatever the order
        ranked = UnpackingReport.ranking(effects(runs(0.50, 0.30, 0.35, 0.37, 0.38)));
        assertTrue(UnpackingReport.verdict(ranked).startsWith("NOT HELD: data quality lowers the win rate (-0.200"),
                UnpackingReport.verdict(ranked));
        // prompts (resolved) matter more than data: not held
        ranked = UnpackingReport.ranking(effects(runs(0.45, 0.50, 0.52, 0.53, 0.70)));
        assertEquals("prompts", ranked.getFirst().step().factor());
        assertTrue(UnpackingReport.verdict(ranked).startsWith("NOT HELD: prompts"), UnpackingReport.verdict(ranked));
        // nothing resolved: the spread swamps the differences
        List<Measured> noisy = new ArrayList<>();
        for (String c : UnpackingGrid.names()) {
            double[] w = {0.3, 0.7, 0.5};
            for (int k = 0; k < 3; k++) {
                noisy.add(new Measured(c, k, w[(k + c.length()) % 3], 0, 1, 0.5, 0, 1));
            }
        }
        String v = UnpackingReport.verdict(UnpackingReport.ranking(effects(noisy)));
        assertTrue(v.startsWith("INCONCLUSIVE"), v);
        // an unresolved effect against the paper's direction is named
        noisy.replaceAll(m -> m.cell().equals("dpo") ? new Measured("dpo", m.seed(), m.winRate() - 0.05, 0, 1, 0.5, 0, 1) : m);
        v = UnpackingReport.verdict(UnpackingReport.ranking(effects(noisy)));
        assertTrue(v.startsWith("INCONCLUSIVE") && v.contains("against the paper's direction, though not resolved: data quality -0.050"), v);
        // a subset of cells cannot rank all four
        List<Effect> partial = UnpackingReport.ranking(UnpackingReport.effects(UnpackingGrid.STEPS,
                UnpackingReport.byCell(runs(0.3, 0.5, 0.6, 0.65, 0.67).subList(0, 6))));
        assertTrue(UnpackingReport.verdict(partial).startsWith("INCONCLUSIVE: not every factor ran"));
        assertTrue(UnpackingReport.algorithmClaim(effects(runs(0.30, 0.50, 0.60, 0.65, 0.67))).contains("PPO better (as the paper)"));
    }

    @Test
    void reportHasTablesRankingPlotAndCommand() throws Exception {
        Path report = dir.resolve("unpacking.md");
        var s = new UnpackingExperiment.Settings(UnpackingGrid.names(), 3, 0, 40, 60, 4, 200, 16, 1e-4, 20, 1e-4, 150, 20,
                BaseSft.Spec.smoke(), BaseSft.Spec.smoke(), dir, List.of(), dir.resolve("work"), report);
        UnpackingData.Dataset high = UnpackingData.build(UnpackingData.HIGH, List.of("str-upper"), 1, 10, 5);
        var context = new UnpackingExperiment.Context(dir.resolve("base"), dir.resolve("tiny"), 1000, Map.of("high", high),
                Map.of(UnpackingGrid.RewardModel.POLICY_SIZE, new UnpackingExperiment.RewardModelInfo(UnpackingGrid.RewardModel.POLICY_SIZE,
                        dir.resolve("rm"), 1000, 0.9, 0.95, 60)), 100, 0.7, 0.4);
        UnpackingReport.write(s, context, runs(0.30, 0.50, 0.60, 0.65, 0.67), 12.5);
        String md = Files.readString(report);
        assertTrue(md.contains("**Verdict: HELD"), md);
        assertTrue(md.contains("| dpo | high | DPO | - | labelled | 0.500 [0.475, 0.525] | 0.600 [0.575, 0.625] |"), md);
        assertTrue(md.contains("| data quality | low-quality -> high-quality pairs (DPO) | dpo-low-data → dpo | +0.200 ±"), md);
        assertTrue(md.contains("**Ranking here** (by |Δ win rate|): data quality (+0.200"), md);
        assertTrue(md.contains("bin/fulcrum experiment unpacking --cells dpo-low-data,dpo,ppo-small-rm,ppo,ppo-extra-prompts --seeds 3"), md);
        assertTrue(md.contains("12.5 minutes") && md.contains("Training time summed over the runs: 7.5 minutes (reward models: 1.0)"), md);
        assertTrue(Files.size(dir.resolve("unpacking.png")) > 1000);
    }
}
