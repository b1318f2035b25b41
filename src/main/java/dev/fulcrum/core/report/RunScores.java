package dev.fulcrum.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a comparison needs from one run directory: the algorithm and environment it belongs to ({@code config.json}
 * fields {@code algo} and {@code env}), its seed, the evaluation curve ({@value ComparisonReport#SCORE_METRIC} of the
 * {@code eval} rows of metrics.jsonl, by step) and the final score ({@value ComparisonReport#FINAL_SCORE} of
 * summary.json, or the last evaluation when the run has no summary yet).
 */
public record RunScores(Path dir, String algo, String env, String seed, double finalScore, SortedMap<Long, Double> curve) {

    public RunScores {
        curve = Collections.unmodifiableSortedMap(new TreeMap<>(curve));
    }

    /**
     * Reads a run directory.
     *
     * @throws IllegalArgumentException naming the file and field when the directory is not a run, a JSON file is
     *                                  broken, algo or env is missing, or there is no final score
     */
    public static RunScores load(Path dir) {
        RunDirectory run = RunDirectory.open(dir);
        JsonNode config = readObject(run.configFile());
        String algo = requiredText(config, "algo", run.configFile());
        String env = requiredText(config, "env", run.configFile());
        String seed = config.hasNonNull("seed") ? config.get("seed").asText() : "?";
        TreeMap<Long, Double> curve = new TreeMap<>();
        if (Files.isRegularFile(run.metricsFile())) {
            for (JsonNode row : MetricsLog.read(run.metricsFile())) {
                JsonNode v = row.get(ComparisonReport.SCORE_METRIC);
                if (row.path("phase").asText().equals("eval") && v != null && v.isNumber() && Double.isFinite(v.asDouble())) {
                    curve.put(row.path("step").asLong(), v.asDouble());
                }
            }
        }
        double score;
        JsonNode summaryScore = Files.isRegularFile(run.summaryFile())
                ? readObject(run.summaryFile()).get(ComparisonReport.FINAL_SCORE) : null;
        if (summaryScore != null && summaryScore.isNumber()) {
            score = summaryScore.asDouble();
        } else if (!curve.isEmpty()) {
            score = curve.lastEntry().getValue();
        } else {
            throw new IllegalArgumentException(run.summaryFile() + ": no final score (field '" + ComparisonReport.FINAL_SCORE
                    + "' missing, and " + run.metricsFile().getFileName() + " has no eval rows with '"
                    + ComparisonReport.SCORE_METRIC + "')");
        }
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException(run.summaryFile() + ": field '" + ComparisonReport.FINAL_SCORE + "' is " + score);
        }
        return new RunScores(dir, algo, env, seed, score, curve);
    }

    private static JsonNode readObject(Path file) {
        JsonNode node;
        try {
            node = Json.COMPACT.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        return node;
    }

    private static String requiredText(JsonNode object, String field, Path file) {
        JsonNode v = object.get(field);
        if (v == null || v.isNull() || !v.isValueNode() || v.asText().isBlank()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is missing (runs are grouped by algo and env)");
        }
        return v.asText();
    }
}
