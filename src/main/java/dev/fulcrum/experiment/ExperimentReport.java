package dev.fulcrum.experiment;

import dev.fulcrum.core.report.Charts;
import dev.fulcrum.core.stats.Stats;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Pieces shared by the claim experiments' reports: score tables with confidence intervals, Welch rows, learning curves. */
public final class ExperimentReport {
    private ExperimentReport() {
    }

    /** A markdown table row {@code | name | mean | ± 95% CI half-width (t) | per-seed values |}. */
    public static String row(String name, double[] v) {
        return row(name, v, 1);
    }

    /** The same row with {@code decimals} decimals. */
    public static String row(String name, double[] v, int decimals) {
        String f = "%." + decimals + "f";
        StringBuilder per = new StringBuilder();
        for (double x : v) {
            per.append(per.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, f, x));
        }
        return String.format(Locale.ROOT, "| %s | " + f + " | ± " + f + " | %s |%n", name, Stats.mean(v), Stats.ci95HalfWidth(v), per);
    }

    /** Welch's test of {@code a} against {@code b}: the difference of means and {@code [t, df, two-sided p]}. */
    public record Comparison(double difference, double t, double df, double p) {
        public static Comparison of(double[] a, double[] b) {
            double[] w = Stats.welch(a, b);
            return new Comparison(Stats.mean(a) - Stats.mean(b), w[0], w[1], w[2]);
        }

        /** A markdown row {@code | label | difference | t | df | p |}. */
        public String row(String label) {
            return String.format(Locale.ROOT, "| %s | %+.1f | %.2f | %.1f | %.3g |%n", label, difference, t, df, p);
        }
    }

    /**
     * Saves mean-over-seeds learning curves (one series per key: step -> scores of the seeds) with an optional dashed
     * reference line (NaN for none).
     */
    public static void plotCurves(Map<String, TreeMap<Long, List<Double>>> curves, String xTitle, String referenceName,
                                  double reference, Path png) {
        XYChart chart = new XYChartBuilder().width(720).height(420).title("normalised score during training")
                .xAxisTitle(xTitle).yAxisTitle("normalised score").build();
        long maxStep = 1;
        for (var c : curves.entrySet()) {
            double[] x = c.getValue().keySet().stream().mapToDouble(Long::doubleValue).toArray();
            double[] y = c.getValue().values().stream().mapToDouble(l -> l.stream().mapToDouble(d -> d).average().orElse(Double.NaN))
                    .toArray();
            chart.addSeries(c.getKey(), x, y);
            maxStep = Math.max(maxStep, c.getValue().lastKey());
        }
        if (!Double.isNaN(reference)) {
            var b = chart.addSeries(referenceName, new double[] {0, maxStep}, new double[] {reference, reference});
            b.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            b.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        Charts.save(chart, png);
    }
}
