package dev.fulcrum.lm.diagnostics;

import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The written form of a ranking-diagnostics run ({@code fulcrum lm diagnose}): {@code diagnostics.json} (settings, the
 * overall {@link RankingDiagnostics.Report}, one report per task family when the pairs name theirs) and
 * {@code diagnostics.md}, the same as tables.
 */
public final class DiagnosticsReport {
    public static final String JSON = "diagnostics.json";
    public static final String MARKDOWN = "diagnostics.md";

    private DiagnosticsReport() {
    }

    /** Every diagnostic over all pairs and per group (groups in order of first appearance; "" = no group). */
    public static Map<String, RankingDiagnostics.Report> reports(List<RankingDiagnostics.Pair> pairs, List<String> groups,
                                                                 double beta, double epsilon) {
        Map<String, RankingDiagnostics.Report> out = new LinkedHashMap<>();
        out.put("all", RankingDiagnostics.report(pairs, beta, epsilon));
        Map<String, List<RankingDiagnostics.Pair>> byGroup = new LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (!groups.get(i).isEmpty()) {
                byGroup.computeIfAbsent(groups.get(i), k -> new java.util.ArrayList<>()).add(pairs.get(i));
            }
        }
        if (byGroup.size() > 1) {
            byGroup.forEach((g, ps) -> out.put(g, RankingDiagnostics.report(ps, beta, epsilon)));
        }
        return out;
    }

    public static void write(Path dir, Map<String, Object> settings, Map<String, RankingDiagnostics.Report> reports) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("settings", settings);
        json.put("reports", reports);
        AtomicFiles.writeString(dir.resolve(JSON), Json.pretty(json) + "\n");
        AtomicFiles.writeString(dir.resolve(MARKDOWN), markdown(settings, reports));
    }

    static String markdown(Map<String, Object> settings, Map<String, RankingDiagnostics.Report> reports) {
        StringBuilder md = new StringBuilder("# Ranking diagnostics\n\n");
        settings.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("""

                Ranking accuracy R = share of pairs with lp_policy(yw) >= lp_policy(yl); length-normalised: per-token log-probabilities;
                idealised: the exact DPO/RLHF optimum from the reference (Chen et al. 2024, Thm 3.1); alignment gap = idealised - R;
                difficulty c = lp_ref(yl) - lp_ref(yw) (> 0: the reference ranks the pair wrongly); flips: of the pairs the
                reference ranks wrongly, the share the policy ranks correctly (and the converse).

                | pairs | group | ranking acc. | length-norm. | idealised | alignment gap | reference acc. | mean difficulty | mean DPO loss | wrong→right | right→wrong |
                |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
                """);
        reports.forEach((group, r) -> md.append("| %d | %s | %.3f | %.3f | %.3f | %+.3f | %.3f | %.3f | %.4f | %d/%d | %d/%d |%n"
                .formatted(r.pairs(), group, r.rankingAccuracy(), r.lengthNormalisedRankingAccuracy(), r.idealisedRankingAccuracy(),
                        r.alignmentGap(), r.referenceRankingAccuracy(), r.meanDifficulty(), r.meanDpoLoss(),
                        r.flips().flippedToRight(), r.flips().referenceWrong(), r.flips().flippedToWrong(), r.flips().referenceRight())));
        return md.toString();
    }
}
