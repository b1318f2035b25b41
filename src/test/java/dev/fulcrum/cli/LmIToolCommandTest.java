package dev.fulcrum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.data.SftExample;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lm itool} and {@code dataOrder}: bad input fails with one line naming the field or file. */
class LmIToolCommandTest {
    @TempDir
    Path dir;

    @Test
    void badInputIsOneClearLine() {
        assertError(CliTest.run("lm", "itool", "--init", dir.resolve("nothing").toString(), "--out", dir.resolve("o1").toString()),
                "not a run or model directory");
        assertError(CliTest.run("lm", "itool", "--init", dir.toString(), "--set", "deficiencyRatio=2", "--out", dir.resolve("o2").toString()),
                "deficiencyRatio");
        assertError(CliTest.run("lm", "itool", "--init", dir.toString(), "--set", "mctsDepht=2", "--out", dir.resolve("o3").toString()),
                "mctsDepht");
        assertTrue(CliTest.run("lm", "itool", "--help").out().contains("SimPO"));
    }

    @Test
    void easyToHardNeedsTheStepsColumn() {
        Path data = dir.resolve("sft.jsonl");
        SftJsonl.write(data, List.of(SftExample.text("a\n", "b"), SftExample.text("c\n", "d")), SftFormat.PROMPT_COMPLETION);
        assertError(CliTest.run("lm", "sft", "--data", data.toString(), "--set", "dataOrder=random", "--out", dir.resolve("s1").toString()),
                "dataOrder");
        assertError(CliTest.run("lm", "sft", "--data", data.toString(), "--steps", "2", "--set", "dataOrder=easy-to-hard", "--no-progress",
                "--out", dir.resolve("s2").toString()), "example 1 has no 'steps' column");
        assertTrue(Files.notExists(dir.resolve("s2").resolve("config.json")), "nothing written before the data is checked");
    }

    private static void assertError(CliTest.Outcome o, String fragment) {
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(fragment), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    }
}
