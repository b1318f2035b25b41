package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: help everywhere, the three-command workflow, and one-line errors. */
class CliTest {
    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
    }

    static Outcome run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = FulcrumCli.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Walks the whole command tree, so a command added anywhere is covered without listing it here. */
    @Test
    void everyCommandHasHelp() {
        List<List<String>> paths = new java.util.ArrayList<>();
        collect(new picocli.CommandLine(new FulcrumCli()), List.of(), paths);
        assertTrue(paths.size() > 20, "found only " + paths);
        for (List<String> cmd : paths) {
            String[] args = java.util.stream.Stream.concat(cmd.stream(), java.util.stream.Stream.of("--help")).toArray(String[]::new);
            Outcome o = run(args);
            assertEquals(0, o.code(), String.join(" ", args));
            assertTrue(o.out().contains("Usage:"), String.join(" ", args) + " prints usage");
            assertTrue(!(o.out() + o.err()).contains("picocli WARN"), String.join(" ", args) + " help renders without picocli "
                    + "warnings (an unescaped % in a description?): " + o.err());
        }
    }

    private static void collect(picocli.CommandLine command, List<String> path, List<List<String>> out) {
        out.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && sub.getCommandName().equals(name)) { // skip picocli's help command and aliases
                List<String> child = new java.util.ArrayList<>(path);
                child.add(name);
                collect(sub, child, out);
            }
        });
    }

    @Test
    void trainsOnAMinariDataset() {
        Path data = dir.resolve("p.hdf5");
        assertEquals(0, run("control", "collect", "--env", "pendulum", "--transitions", "1000", "--out", data.toString()).code());
        Path minari = dir.resolve("p-minari");
        Outcome c = run("control", "convert", "--in", data.toString(), "--out", minari.toString());
        assertEquals(0, c.code(), c.err());
        Outcome t = run("control", "train", "--algo", "bc", "--env", "pendulum", "--dataset", minari.toString(), "--steps", "20",
                "--set", "batchSize=16", "--set", "bc.hiddenSize=8", "--set", "evalEvery=20", "--set", "evalEpisodes=1",
                "--out", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        assertTrue(Files.exists(dir.resolve("run/summary.json")));
    }

    @Test
    void collectTrainEvalInThreeCommands() throws Exception {
        Path data = dir.resolve("p.hdf5");
        Outcome c = run("control", "collect", "--env", "pendulum", "--quality", "medium", "--transitions", "2000", "--out", data.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("2000 transitions"), c.out());
        Path runDir = dir.resolve("run");
        Outcome t = run("control", "train", "--algo", "td3bc", "--env", "pendulum", "--dataset", data.toString(), "--steps", "40",
                "--set", "batchSize=32", "--set", "td3bc.hiddenSize=16", "--set", "evalEvery=20", "--set", "logEvery=10", "--set", "evalEpisodes=2",
                "--out", runDir.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        for (String f : List.of("config.json", "metrics.jsonl", "summary.json", "report.md", "eval.png", "train.png")) {
            assertTrue(Files.exists(runDir.resolve(f)), f);
        }
        Outcome e = run("control", "eval", "--run", runDir.toString(), "--episodes", "2");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("normalised_score"), e.out());
    }

    @Test
    void badInputGivesOneLineErrors() throws Exception {
        assertError(run("control", "train", "--dataset", dir.resolve("missing.hdf5").toString(), "--out", dir.resolve("r1").toString()),
                "dataset file not found");
        assertError(run("control", "train", "--dataset", "x.hdf5", "--set", "iql.betta=3", "--out", dir.resolve("r2").toString()),
                "iql.betta");
        assertError(run("control", "train", "--dataset", "x.hdf5", "--algo", "ppo", "--out", dir.resolve("r3").toString()), "algo");
        assertError(run("control", "collect", "--env", "cartpole", "--out", dir.resolve("h.hdf5").toString()), "unknown environment 'cartpole'");
        assertError(run("control", "eval", "--run", dir.toString()), "not a run directory");
        assertTrue(Files.notExists(dir.resolve("r1").resolve("config.json")), "a failed start leaves no half-made run");
    }

    @Test
    void envsListsTheMujocoTasksOrHowToInstallMujoco() {
        Outcome o = run("control", "envs");
        assertEquals(0, o.code(), o.err());
        for (String id : List.of("halfcheetah", "hopper", "walker2d")) {
            assertTrue(o.out().lines().anyMatch(l -> l.startsWith(id + " ")
                    && (l.contains(" 1000 ") || l.contains("apt-get install libmujoco-dev"))), o.out());
        }
    }

    private static void assertError(Outcome o, String fragment) {
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(fragment), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    }
}
