package dev.fulcrum.lm.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted and resumed PPO run (critic pre-training, then PPO with every trick on, a checkpoint after each step)
 * ends with the same policy and the same metrics as an uninterrupted one; bad settings fail with the field's name.
 */
class PpoResumeTest {
    @TempDir
    Path dir;

    @Test
    void resumedRunEqualsUninterruptedRun() throws Exception {
        Path base = BaseSft.obtain(BaseSft.Spec.smoke(), dir.resolve("cache"), false);
        List<String> o = PpoMaxLearningTest.tinyRun(base, "iterations=3", "checkpointEvery=1", "ppo.rolloutBatch=8",
                "ppo.minibatch=4", "ppo.maxNewTokens=12", "ppo.ptxCoef=0.5", "ppo.ptxBatch=4", "ptxData=" + base.resolve("sft.jsonl"));
        PpoRunConfig cfg = PpoMaxLearningTest.config(o);
        new PpoMax(cfg, dir.resolve("whole")).fit();
        PpoMax.Result stopped = new PpoMax(cfg, dir.resolve("split")).stopAfter(3).fit();
        assertEquals(3, stopped.stepsDone());
        PpoMax.Result resumed = new PpoMax(cfg, dir.resolve("split")).resume(true).fit();
        assertEquals(5, resumed.stepsDone());

        List<JsonNode> a = MetricsLog.read(dir.resolve("whole/metrics.jsonl")), b = MetricsLog.read(dir.resolve("split/metrics.jsonl"));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            ObjectNode x = a.get(i).deepCopy(), y = b.get(i).deepCopy();
            for (String timing : PpoMax.TIMING_METRICS) {
                x.remove(timing);
                y.remove(timing);
            }
            assertEquals(x, y, "metrics line " + i);
        }
        assertTrue(a.stream().anyMatch(n -> n.has("ptx_loss")), "PPO-ptx term logged");
        try (NDManager m = Torch.newManager()) {
            DecoderLm p = HfCheckpoint.load(dir.resolve("whole/model"), m, DataType.FLOAT32);
            DecoderLm q = HfCheckpoint.load(dir.resolve("split/model"), m, DataType.FLOAT32);
            p.parameters().forEach((name, t) -> assertArrayEquals(t.toFloatArray(), q.parameters().get(name).toFloatArray(), name));
        }
    }

    @Test
    void badSettingsNameTheirField() {
        ConfigException e = assertThrows(ConfigException.class, () -> PpoMaxLearningTest.config(List.of("ppo.reward=judge")));
        assertTrue(e.getMessage().contains("ppo.reward"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> PpoMaxLearningTest.config(List.of("ppo.minibatch=64", "ppo.rolloutBatch=8")));
        assertTrue(e.getMessage().contains("ppo.minibatch"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new PpoMax(PpoMaxLearningTest.config(List.of("init=" + dir)), dir.resolve("run")).fit());
        assertTrue(missing.getMessage().contains(dir.toString()), missing.getMessage());
    }
}
