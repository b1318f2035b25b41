package dev.fulcrum.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * A run's human-readable report: one PNG per metric group ({@code train.png}, {@code eval.png}) with a panel line per
 * metric against the step, {@code report.md} with the summary and the plots, and {@code report.html}
 * ({@link RunHtmlReport}: the same with the configuration, images embedded). Written from the run directory alone,
 * so {@code fulcrum report RUN} can redo it at any time.
 */
public final class RunReport {
    private RunReport() {
    }

    public static void write(RunDirectory run) {
        List<JsonNode> rows = Files.exists(run.metricsFile()) ? MetricsLog.read(run.metricsFile()) : List.of();
        Map<String, Map<String, List<double[]>>> byPhase = new TreeMap<>();
        for (JsonNode row : rows) {
            String phase = row.path("phase").asText("train");
            long step = row.path("step").asLong();
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("step") || e.getKey().equals("phase") || !e.getValue().isNumber()) {
                    continue;
                }
                double v = e.getValue().asDouble();
                if (Double.isFinite(v)) {
                    byPhase.computeIfAbsent(phase, k -> new LinkedHashMap<>()).computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(new double[] {step, v});
                }
            }
        }
        StringBuilder md = new StringBuilder("# Run report: ").append(run.root().getFileName()).append("\n\n");
        if (Files.exists(run.summaryFile())) {
            try {
                md.append("## Summary\n\n```json\n").append(Files.readString(run.summaryFile()).strip()).append("\n```\n\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        md.append("## Curves\n\n");
        List<Path> pngs = new ArrayList<>();
        for (var phase : byPhase.entrySet()) {
            Path png = run.root().resolve(phase.getKey() + ".png");
            plot(phase.getKey(), phase.getValue(), png);
            pngs.add(png);
            md.append("### ").append(phase.getKey()).append("\n\n![").append(phase.getKey()).append("](")
                    .append(png.getFileName()).append(")\n\n");
        }
        md.append("Configuration: [config.json](config.json). Metrics: [metrics.jsonl](metrics.jsonl).\n");
        AtomicFiles.writeString(run.root().resolve("report.md"), md.toString());
        RunHtmlReport.write(run, pngs);
    }

    /** One chart per metric stacked in a grid image. */
    static void plot(String title, Map<String, List<double[]>> series, Path png) {
        List<XYChart> charts = new ArrayList<>();
        for (var s : series.entrySet()) {
            XYChart chart = new XYChartBuilder().width(420).height(260).title(title + ": " + s.getKey()).xAxisTitle("step").build();
            chart.getStyler().setLegendVisible(false).setMarkerSize(3);
            double[] x = s.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = s.getValue().stream().mapToDouble(p -> p[1]).toArray();
            XYSeries xy = chart.addSeries(s.getKey(), x, y);
            xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            charts.add(chart);
        }
        Charts.saveGrid(charts, png);
    }

    /** Used by reports that want the summary as a map. */
    public static Map<String, Object> readSummary(RunDirectory run) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = Json.COMPACT.readValue(run.summaryFile().toFile(), Map.class);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + run.summaryFile() + ": " + e.getMessage(), e);
        }
    }
}
