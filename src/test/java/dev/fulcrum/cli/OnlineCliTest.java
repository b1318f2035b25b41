package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The online commands as a user meets them: help, a tiny online run, a tiny fine-tuning run, one-line errors. */
class OnlineCliTest {
    @TempDir
    Path dir;

    @Test
    void newCommandsHaveHelp() {
        for (String cmd : List.of("online", "finetune", "make-datasets")) {
            CliTest.Outcome o = CliTest.run("control", cmd, "--help");
            assertEquals(0, o.code(), cmd);
            assertTrue(o.out().contains("Usage:"), cmd + " prints usage");
        }
        assertTrue(CliTest.run("control", "--help").out().contains("finetune"), "control lists the new commands");
    }

    @Test
    void onlineThenFinetuneThenEval() {
        Path sac = dir.resolve("sac");
        CliTest.Outcome o = CliTest.run("control", "online", "--algo", "sac", "--env", "pendulum", "--steps", "300",
                "--set", "randomSteps=100", "--set", "batchSize=32", "--set", "sac.hiddenSize=16", "--set", "evalEvery=300",
                "--set", "evalEpisodes=1", "--set", "logEvery=50", "--out", sac.toString(), "--no-progress");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("sac on pendulum"), o.out());
        for (String f : List.of("config.json", "metrics.jsonl", "summary.json", "report.md")) {
            assertTrue(Files.exists(sac.resolve(f)), f);
        }

        Path data = dir.resolve("p.hdf5");
        assertEquals(0, CliTest.run("control", "collect", "--env", "pendulum", "--transitions", "1000", "--out", data.toString()).code());
        Path ft = dir.resolve("ft");
        CliTest.Outcome f = CliTest.run("control", "finetune", "--algo", "awac", "--env", "pendulum", "--dataset", data.toString(),
                "--offline-steps", "50", "--online-steps", "100", "--set", "batchSize=32", "--set", "awac.hiddenSize=16",
                "--set", "evalEvery=50", "--set", "evalEpisodes=1", "--out", ft.toString(), "--no-progress");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().contains("after 50 offline + 100 online steps"), f.out());

        CliTest.Outcome e = CliTest.run("control", "eval", "--run", ft.toString(), "--episodes", "1");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("normalised_score"), e.out());
    }

    @Test
    void badInputGivesOneLineErrors() {
        assertError(CliTest.run("control", "finetune", "--env", "pendulum", "--out", dir.resolve("a").toString()), "no dataset");
        assertError(CliTest.run("control", "online", "--algo", "td3bc", "--out", dir.resolve("b").toString()), "algo");
        assertError(CliTest.run("control", "online", "--set", "offlineSteps=10", "--out", dir.resolve("c").toString()),
                "offlineSteps");
        assertError(CliTest.run("control", "online", "--set", "sac.alpha=3", "--out", dir.resolve("d").toString()), "sac.alpha");
        assertError(CliTest.run("control", "make-datasets", "--env", "no-such-env", "--out", dir.resolve("e").toString()),
                "unknown environment 'no-such-env'");
        assertTrue(Stream.of("a", "b", "c", "d").noneMatch(n -> Files.exists(dir.resolve(n).resolve("config.json"))),
                "a failed start leaves no half-made run");
    }

    private static void assertError(CliTest.Outcome o, String fragment) {
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(fragment), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    }
}
