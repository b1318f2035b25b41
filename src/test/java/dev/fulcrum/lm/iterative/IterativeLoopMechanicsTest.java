package dev.fulcrum.lm.iterative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.train.ModelDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop's bookkeeping with a stand-in trainer that returns the policy unchanged: layout, which models anchor each
 * method, DNO's replay of earlier pairs, and resumption (finished iterations are read back, not redone).
 */
class IterativeLoopMechanicsTest {
    @TempDir
    static Path cache;
    static Path base;

    @BeforeAll
    static void baseModel() {
        base = BaseSft.obtain(BaseSft.Spec.smoke(), cache, false);
    }

    private static IterateConfig config(String method) {
        return ConfigLoader.load(IterateConfig.class, IterateConfig.defaults(), null, List.of("method=" + method, "init=" + base,
                "iterations=2", "promptsPerFamily=2", "samplesPerPrompt=3", "maxNewTokens=24", "evalPromptsPerFamily=1",
                "evalSamples=2", "dnoMargin=0", "dnoMixDecay=0.5"));
    }

    /** Records the requests and hands back the policy it was given. */
    private static final class Unchanged implements IterationTrainer {
        final List<Request> requests = new ArrayList<>();

        @Override
        public Path train(Request r) {
            requests.add(r);
            return r.init();
        }
    }

    @Test
    void dnoLayoutAnchorsReplayAndResume(@TempDir Path out) {
        Unchanged trainer = new Unchanged();
        IterativePreferenceLoop.Result r = new IterativePreferenceLoop(config("dno"), out, trainer).run();
        Path model = ModelDirectories.resolve(base);
        assertEquals(3, r.rows().size());
        assertEquals(2, trainer.requests.size());
        for (IterationTrainer.Request q : trainer.requests) {
            assertEquals(model, q.init());
            assertEquals(q.init(), q.reference(), "DNO anchors at the previous iterate");
            assertNull(q.anchor());
        }
        for (int t = 1; t <= 2; t++) {
            Path dir = out.resolve("iteration-" + t);
            assertTrue(Files.isRegularFile(dir.resolve("iteration.json")));
            int own = PreferenceJsonl.read(dir.resolve("selected.jsonl")).size();
            int all = PreferenceJsonl.read(dir.resolve("pairs.jsonl")).size();
            assertEquals(own, r.rows().get(t).pairs());
            assertEquals(all - own, r.rows().get(t).mixedPairs());
            assertTrue(r.rows().get(t).samplesPerSecond() > 0);
            assertEquals(14 * 3, r.rows().get(t).samples(), "7 families x 2 prompts x K = 3");
        }
        int first = r.rows().get(1).pairs();
        assertEquals(0, r.rows().get(1).mixedPairs());
        assertEquals(Math.round(0.5 * first), r.rows().get(2).mixedPairs(), "half of iteration 1's pairs replayed in iteration 2");
        // the policy is unchanged, so its win rate against itself stays near 1/2
        r.rows().forEach(row -> assertTrue(Math.abs(row.winRate() - 0.5) < 0.35, "win rate " + row.winRate()));
        assertTrue(Files.isRegularFile(out.resolve("summary.json")));

        // a second start needs --resume; with it, finished iterations are read back and nothing is retrained
        assertThrows(IllegalArgumentException.class, () -> new IterativePreferenceLoop(config("dno"), out, trainer).run());
        IterativePreferenceLoop.Result again = new IterativePreferenceLoop(config("dno"), out, trainer).resume(true).run();
        assertEquals(2, trainer.requests.size());
        assertEquals(r.rows().subList(1, 3), again.rows().subList(1, 3));
        assertEquals(r.rows().get(0).winRate(), again.rows().get(0).winRate(), 0.0);
    }

    @Test
    void inpoAnchorsAtTheStartAndThePreviousIterate(@TempDir Path out) {
        Unchanged trainer = new Unchanged();
        new IterativePreferenceLoop(config("inpo"), out, trainer).run();
        Path model = ModelDirectories.resolve(base);
        for (IterationTrainer.Request q : trainer.requests) {
            assertEquals(model, q.reference());
            assertEquals(q.init(), q.anchor());
            assertEquals(IterativeMethod.INPO, q.method());
        }
        assertEquals(0, PreferenceJsonl.read(out.resolve("iteration-2/pairs.jsonl")).size()
                - PreferenceJsonl.read(out.resolve("iteration-2/selected.jsonl")).size(), "no replay outside DNO");
    }
}
