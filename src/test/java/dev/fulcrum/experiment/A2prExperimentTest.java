package dev.fulcrum.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.cli.FulcrumCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The A2PR claim experiment end to end at toy size (the real protocol is a CLI run), and its verdict rule. */
class A2prExperimentTest {
    @TempDir
    Path dir;

    @Test
    void tinyRunWritesReportTablesAndPlots() throws Exception {
        Path report = dir.resolve("a2pr.md");
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            code = FulcrumCli.execute("experiment", "a2pr", "--envs", "pendulum", "--datasets", "random-expert,medium-expert",
                    "--transitions", "1000", "--seeds", "2", "--steps", "20", "--eval-every", "10", "--eval-episodes", "1",
                    "--set", "batchSize=32", "--set", "a2pr.hiddenSize=16", "--set", "a2pr.vaeHiddenSize=16",
                    "--set", "td3bc.hiddenSize=16", "--set", "iql.hiddenSize=16", "--work", dir.resolve("work").toString(),
                    "--report", report.toString(), "--no-progress");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        String md = Files.readString(report);
        for (String fragment : List.of("## pendulum/random-expert", "## pendulum/medium-expert", "| a2pr vs td3bc |",
                "| a2pr vs iql |", "| dataset |", "## Verdict", "**Reduced run.**", "steps 20 (default 20000)", "random:0.9,expert:0.1", "a2pr-scores.png", "a2pr-curves.png")) {
            assertTrue(md.contains(fragment), "report lacks '" + fragment + "'\n" + md);
        }
        assertTrue(Files.size(dir.resolve("a2pr-scores.png")) > 1000);
        assertTrue(Files.size(dir.resolve("a2pr-curves.png")) > 1000);
        assertTrue(Files.exists(dir.resolve("work/runs/pendulum-random-expert/a2pr-seed1/summary.json")));
    }

    @Test
    void unknownDatasetIsAOneLineError() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = FulcrumCli.execute("experiment", "a2pr", "--datasets", "medium-replay,expert-only", "--work",
                    dir.resolve("w").toString(), "--report", dir.resolve("r.md").toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown dataset mixture 'expert-only'"), err.toString());
    }

    @Test
    void theDefaultProtocolHasNoDeviations() {
        A2prExperiment.Settings defaults = new A2prExperiment.Settings(List.of(A2prExperiment.DEFAULT_ENVS.split(",")),
                List.of(A2prExperiment.DEFAULT_DATASETS.split(",")), A2prExperiment.DEFAULT_TRANSITIONS, A2prExperiment.DEFAULT_SEEDS,
                A2prExperiment.DEFAULT_STEPS, A2prExperiment.DEFAULT_EVAL_EVERY, A2prExperiment.DEFAULT_EVAL_EPISODES,
                List.of(A2prExperiment.DEFAULT_ALGOS.split(",")), List.of(), dir, dir.resolve("r.md"));
        assertEquals(List.of(), A2prExperiment.deviations(defaults));
    }

    @Test
    void verdictNeedsWinsOnHalfTheDatasetsAndNoLoss() {
        ResultTables.Comparison win = new ResultTables.Comparison("a2pr", "td3bc", 10, 5, 6, 0.001);
        ResultTables.Comparison tie = new ResultTables.Comparison("a2pr", "td3bc", 3, 1, 6, 0.3);
        ResultTables.Comparison loss = new ResultTables.Comparison("a2pr", "td3bc", -10, -5, 6, 0.001);
        A2prExperiment.Tally held = A2prExperiment.tally("td3bc", List.of(win, tie));
        assertEquals(new A2prExperiment.Tally("td3bc", 1, 1, 0), held);
        assertTrue(A2prExperiment.verdict(held, null, 2).startsWith("HELD"));
        assertTrue(A2prExperiment.verdict(A2prExperiment.tally("td3bc", List.of(win, win, loss)), null, 3).startsWith("NOT HELD"));
        assertTrue(A2prExperiment.verdict(A2prExperiment.tally("td3bc", List.of(win, tie, tie)), null, 3).startsWith("NOT HELD"));
    }
}
