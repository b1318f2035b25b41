package dev.fulcrum.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.run.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A run's {@code report.html}: the headline scores, the summary, the learning curves (PNGs embedded as base64, so the
 * page is one self-contained file) and the resolved configuration. Written by {@link RunReport#write} beside report.md.
 */
public final class RunHtmlReport {
    private RunHtmlReport() {
    }

    /** Writes {@code RUN/report.html} from the run's files and the curve images already drawn. */
    public static Path write(RunDirectory run, List<Path> curvePngs) {
        JsonNode summary = readJson(run.summaryFile());
        JsonNode config = readJson(run.configFile());
        StringBuilder body = new StringBuilder();
        body.append("<p class=\"note\">Run directory: <code>").append(Html.escape(run.root().toString())).append("</code>");
        if (config != null && config.hasNonNull("algo")) {
            body.append(" &middot; algorithm <b>").append(Html.escape(config.get("algo").asText())).append("</b>");
        }
        if (config != null && config.hasNonNull("env")) {
            body.append(" &middot; environment <b>").append(Html.escape(config.get("env").asText())).append("</b>");
        }
        if (config != null && config.hasNonNull("seed")) {
            body.append(" &middot; seed ").append(Html.escape(config.get("seed").asText()));
        }
        body.append("</p>\n");
        if (summary != null && summary.path(ComparisonReport.FINAL_SCORE).isNumber()) {
            body.append("<p>Final normalised score: <b>").append(Html.fixed(summary.get(ComparisonReport.FINAL_SCORE).asDouble()))
                    .append("</b>");
            if (summary.path("final_return_mean").isNumber()) {
                body.append(" (mean return ").append(Html.fixed(summary.get("final_return_mean").asDouble())).append(")");
            }
            body.append("</p>\n");
        }
        body.append("<h2>Summary</h2>\n").append(summary == null ? "<p class=\"note\">No summary.json yet (the run has not "
                + "finished).</p>\n" : Html.keyValueTable(summary));
        body.append("<h2>Curves</h2>\n");
        if (curvePngs.isEmpty()) {
            body.append("<p class=\"note\">No metrics logged yet.</p>\n");
        }
        for (Path png : curvePngs) {
            String name = png.getFileName().toString().replaceFirst("\\.png$", "");
            body.append("<h3>").append(Html.escape(name)).append("</h3>\n").append(Html.embeddedPng(png, name + " curves"));
        }
        body.append("<h2>Configuration</h2>\n").append(config == null ? "<p class=\"note\">No config.json.</p>\n"
                : Html.keyValueTable(config));
        body.append("<p class=\"note\">Files: <a href=\"config.json\">config.json</a>, <a href=\"metrics.jsonl\">metrics.jsonl</a>, "
                + "<a href=\"summary.json\">summary.json</a>, <a href=\"report.md\">report.md</a>.</p>\n");
        Path html = run.root().resolve("report.html");
        AtomicFiles.writeString(html, Html.page("Run report: " + run.root().toAbsolutePath().normalize().getFileName(), body.toString()));
        return html;
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.COMPACT.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
