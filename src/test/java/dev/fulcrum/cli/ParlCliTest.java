package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.run.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fulcrum control parl} and {@code fulcrum experiment parl} as a user meets them. */
class ParlCliTest {
    @TempDir
    Path dir;

    @Test
    void parlWritesARunDirectory() throws Exception {
        Path run = dir.resolve("run");
        CliTest.Outcome o = CliTest.run("control", "parl", "--task", "grid-hazard-5", "--method", "aparl", "--seed", "3",
                "--iterations", "4", "--out", run.toString(), "--no-progress");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("aparl on grid-hazard-5"), o.out());
        for (String f : List.of("config.json", "metrics.jsonl", "summary.json", "report.md", "eval.png", "train.png")) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        List<JsonNode> rows = MetricsLog.read(run.resolve("metrics.jsonl"));
        JsonNode last = rows.getLast();
        assertEquals(16, last.path("oracle_queries").asLong());
        assertTrue(last.path("env_transitions").asLong() > 0);
        JsonNode summary = Json.COMPACT.readTree(run.resolve("summary.json").toFile());
        assertEquals("aparl", summary.path("method").asText());
        assertTrue(summary.has("env_transitions_to_target"));
    }

    @Test
    void badSettingsGetOneLine() {
        CliTest.Outcome o = CliTest.run("control", "parl", "--task", "grid-hazard-4", "--out", dir.resolve("x").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("task") && o.err().lines().count() == 1, o.err());
        CliTest.Outcome m = CliTest.run("control", "parl", "--method", "dpo", "--out", dir.resolve("y").toString());
        assertEquals(2, m.code());
        assertTrue(m.err().contains("method"), m.err());
    }

    @Test
    void experimentWritesAReportWithAVerdict() throws Exception {
        Path report = dir.resolve("parl.md");
        CliTest.Outcome o = CliTest.run("experiment", "parl", "--tasks", "grid-hazard-5", "--methods", "aparl,pebble", "--seeds", "2",
                "--set", "iterations=3", "--work", dir.resolve("work").toString(), "--report", report.toString(), "--no-progress");
        assertEquals(0, o.code(), o.err());
        String md = Files.readString(report);
        assertTrue(md.contains("## Verdict") && md.contains("Mann-Whitney"), md);
        assertTrue(Files.exists(dir.resolve("parl-grid-hazard-5-curves.png")));
    }

    @Test
    void helpEverywhere() {
        for (String[] args : new String[][] {{"control", "parl", "--help"}, {"experiment", "parl", "--help"}}) {
            CliTest.Outcome o = CliTest.run(args);
            assertEquals(0, o.code());
            assertTrue(o.out().contains("Usage:"));
        }
    }
}
