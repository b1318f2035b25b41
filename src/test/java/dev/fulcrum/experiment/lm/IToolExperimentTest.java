package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The experiment at smoke size: every method measured on the same problems, a report with a table, plot and verdict. */
class IToolExperimentTest {
    @TempDir
    Path tmp;

    @Test
    void smokeExperimentWritesTheReport() throws Exception {
        Path report = tmp.resolve("itool.md");
        var settings = new IToolExperiment.Settings(BaseSft.Spec.smoke(), 1, 0, 4, 4, 1, 4,
                List.of("mctsIterations=1", "preferenceSteps=2", "maxNewTokens=96", "searchPoolPerFamily=4"), tmp.resolve("work"), report,
                tmp.resolve("cache"));
        List<IToolExperiment.MethodScore> scores = IToolExperiment.run(settings, false, s -> { });
        assertEquals(List.of("SFT 1x", "SFT 2x", "SFT 3x", "iTool iter 1"), scores.stream().map(IToolExperiment.MethodScore::method).toList());
        int problems = scores.getFirst().problems();
        assertTrue(problems > 0 && problems <= 4);
        for (var s : scores) {
            assertEquals(problems, s.problems(), "every method on the same problems");
            assertTrue(s.ci()[0] <= s.successRate() && s.successRate() <= s.ci()[1]);
        }
        String md = Files.readString(report);
        assertTrue(md.contains("| SFT 3x |") && md.contains("| iTool iter 1 |") && md.contains("## Verdict"), md);
        assertTrue(Files.isRegularFile(tmp.resolve("itool.png")));
        // nested data: the 2x set holds the 1x problems and as many again
        List<String> one = Files.readAllLines(tmp.resolve("work/seed-0/data-1x.jsonl")), two = Files.readAllLines(tmp.resolve("work/seed-0/data-2x.jsonl"));
        assertEquals(2 * one.size(), two.size());
    }
}
