package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.report.ReportsTestRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fulcrum report}: per-run reports, the comparison page with --out, directories of runs, one-line errors. */
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void reportsAndComparison() throws Exception {
        Path runs = Files.createDirectories(dir.resolve("runs"));
        Path a = ReportsTestRuns.fabricate(runs, "iql-0", "iql", "pendulum", 0, 80);
        Path b = ReportsTestRuns.fabricate(runs, "iql-1", "iql", "pendulum", 1, 90);
        ReportsTestRuns.fabricate(runs, "bc-0", "bc", "pendulum", 0, 50);
        ReportsTestRuns.fabricate(runs, "bc-1", "bc", "pendulum", 1, 60);

        CliTest.Outcome one = CliTest.run("report", a.toString());
        assertEquals(0, one.code(), one.err());
        assertTrue(Files.isRegularFile(a.resolve("report.html")) && Files.isRegularFile(a.resolve("report.md")));

        CliTest.Outcome two = CliTest.run("report", a.toString(), b.toString());
        assertEquals(0, two.code(), two.err());
        assertTrue(two.out().contains("pass --out DIR to also write a comparison page"), two.out());

        Path out = dir.resolve("cmp");
        CliTest.Outcome all = CliTest.run("report", runs.toString(), "--out", out.toString(), "--resamples", "500");
        assertEquals(0, all.code(), all.err());
        assertTrue(all.out().contains("wrote " + out.resolve("report.html") + ": 4 runs, 2 algorithm-environment groups"),
                all.out());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("500 replicates"), "settings reach the page");
        assertTrue(html.contains("<td>bc</td><td>iql</td><td class=\"num\">-30.00</td>"), "bc vs iql row");

        CliTest.Outcome help = CliTest.run("report", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--out"), help.out());

        CliTest.Outcome bad = CliTest.run("report", dir.resolve("nothing").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("not a run directory (no config.json), nor a directory of runs"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }
}
