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

/** The pieces of a claim report shared by the experiments: score rows, Welch comparisons, learning-curve charts. */
final class ResultTables {
    private ResultTables() {
    }

    static final String SCORE_HEADER = "| policy | mean | 95% CI (t) | per seed |\n|---|---|---|---|\n";
    static final String WELCH_HEADER = "| comparison | difference | t | df | two-sided p |\n|---|---|---|---|---|\n";

    /** {@code | name | mean | ± ci | s1, s2, ... |} with one decimal. */
    static String scoreRow(String name, double[] v) {
        return scoreRow(name, v, 1);
    }

    /** {@code | name | mean | ± ci | s1, s2, ... |} with {@code decimals} decimals. */
    static String scoreRow(String name, double[] v, int decimals) {
        String f = "%." + decimals + "f";
        StringBuilder per = new StringBuilder();
        for (double x : v) {
            per.append(per.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, f, x));
        }
        return String.format(Locale.ROOT, "| %s | " + f + " | ± " + f + " | %s |%n", name, Stats.mean(v), Stats.ci95HalfWidth(v), per);
    }

    /** Welch's t-test of {@code a} against {@code b}; {@code difference} is mean(a) - mean(b). */
    record Comparison(String first, String second, double difference, double t, double df, double p) {
        static Comparison of(String first, double[] a, String second, double[] b) {
            double[] w = Stats.welch(a, b);
            return new Comparison(first, second, Stats.mean(a) - Stats.mean(b), w[0], w[1], w[2]);
        }

        /** A significant (p < 0.05) positive difference. */
        boolean firstBetter() {
            return difference > 0 && p < 0.05;
        }

        /** A significant (p < 0.05) negative difference. */
        boolean firstWorse() {
            return difference < 0 && p < 0.05;
        }

        String row() {
            return row(first + " vs " + second);
        }

        /** The row under a label of the caller's ("famo2o vs iql, final"). */
        String row(String label) {
            return String.format(Locale.ROOT, "| %s | %+.1f | %.2f | %.1f | %.3g |%n", label, difference, t, df, p);
        }
    }

    /**
     * The mean over seeds of each curve, one series per name, with an optional dashed horizontal reference line
     * (e.g. the behaviour policy's score). Returns the chart; {@link #saveCurves} writes one.
     */
    static XYChart curves(String title, Map<String, TreeMap<Long, List<Double>>> curves, String referenceName, Double reference) {
        return curves(title, "gradient step", curves, referenceName, reference);
    }

    /** As {@link #curves(String, Map, String, Double)} with the x axis named {@code xTitle}. */
    static XYChart curves(String title, String xTitle, Map<String, TreeMap<Long, List<Double>>> curves, String referenceName,
                          Double reference) {
        XYChart chart = new XYChartBuilder().width(720).height(420).title(title).xAxisTitle(xTitle)
                .yAxisTitle("normalised score").build();
        long maxStep = 1;
        for (var c : curves.entrySet()) {
            double[] x = c.getValue().keySet().stream().mapToDouble(Long::doubleValue).toArray();
            double[] y = c.getValue().values().stream().mapToDouble(l -> l.stream().mapToDouble(d -> d).average().orElse(Double.NaN))
                    .toArray();
            chart.addSeries(c.getKey(), x, y);
            maxStep = Math.max(maxStep, c.getValue().lastKey());
        }
        if (reference != null) {
            var b = chart.addSeries(referenceName, new double[] {0, maxStep}, new double[] {reference, reference});
            b.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            b.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        return chart;
    }

    static void saveCurves(String title, Map<String, TreeMap<Long, List<Double>>> curves, String referenceName, Double reference,
                           Path png) {
        Charts.save(curves(title, curves, referenceName, reference), png);
    }

    static void saveCurves(String title, String xTitle, Map<String, TreeMap<Long, List<Double>>> curves, String referenceName,
                           Double reference, Path png) {
        Charts.save(curves(title, xTitle, curves, referenceName, reference), png);
    }
}
