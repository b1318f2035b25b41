package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Safetensors;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.RunDirectory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The language-model trainer with its GPU update path (AdamW and clipping by in-place engine operations) chosen on the
 * CPU: it trains as the default host-memory path does (same metrics, weights and moments, to float32 rounding), and a
 * checkpoint written by one path resumes on the other, the nearest this CPU-only project gets to "saved on a GPU, resumed
 * on the CPU" and back.
 */
class LmEngineOpsTest {
    private static final double TOLERANCE = 1e-6;

    @TempDir
    Path dir;

    private LmTrainConfig config() {
        Path data = LmRuns.sftData(dir, 6, "str-upper", "sort-asc");
        List<String> o = new ArrayList<>(List.of("steps=8", "batchSize=4", "accumulation=2", "logEvery=1", "evalEvery=100",
                "checkpointEvery=4", "keepCheckpoints=10", "eval.problemsPerFamily=1", "eval.maxNewTokens=4",
                "optimizer.clipNorm=0.5", "optimizer.warmupSteps=2"));
        o.addAll(List.of(LmRuns.MICRO_MODEL));
        return LmRuns.config("sft", data, o.toArray(String[]::new));
    }

    @Test
    void theEnginePathTrainsAsTheHostPathAndCheckpointsCrossOver() {
        LmTrainConfig cfg = config();
        Path host = dir.resolve("host"), engine = dir.resolve("engine");
        new LmTrainer(cfg, host).fit();
        new LmTrainer(cfg, engine).usingEngineOps().fit();
        assertSameRun(host, engine, "engine path");
        assertTrue(MetricsLog.read(host.resolve("metrics.jsonl")).stream()
                .anyMatch(r -> r.has("grad_norm") && r.get("grad_norm").asDouble() > 0.5), "clipping was active");

        Path hostThenEngine = dir.resolve("host-then-engine");
        new LmTrainer(cfg, hostThenEngine).stopAfter(6).fit();
        new LmTrainer(cfg, hostThenEngine).usingEngineOps().resume(true).fit();
        assertSameRun(host, hostThenEngine, "host checkpoint resumed on the engine path");

        Path engineThenHost = dir.resolve("engine-then-host");
        new LmTrainer(cfg, engineThenHost).usingEngineOps().stopAfter(6).fit();
        new LmTrainer(cfg, engineThenHost).resume(true).fit();
        assertSameRun(host, engineThenHost, "engine checkpoint resumed on the host path");
    }

    private static void assertSameRun(Path expected, Path actual, String what) {
        List<JsonNode> a = MetricsLog.read(expected.resolve("metrics.jsonl")), b = MetricsLog.read(actual.resolve("metrics.jsonl"));
        assertEquals(a.size(), b.size(), what + ": metric rows");
        for (int i = 0; i < a.size(); i++) {
            for (Iterator<Map.Entry<String, JsonNode>> it = a.get(i).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (LmTrainer.TIMING_METRICS.contains(e.getKey())) {
                    continue;
                }
                JsonNode other = b.get(i).get(e.getKey());
                if (e.getValue().isNumber()) {
                    assertClose(e.getValue().asDouble(), other.asDouble(), what + ": row " + i + " " + e.getKey());
                } else {
                    assertEquals(e.getValue(), other, what + ": row " + i + " " + e.getKey());
                }
            }
        }
        Safetensors.Contents x = Safetensors.read(RunDirectory.open(expected).latestCheckpoint().orElseThrow());
        Safetensors.Contents y = Safetensors.read(RunDirectory.open(actual).latestCheckpoint().orElseThrow());
        assertEquals(x.metadata(), y.metadata(), what);
        assertEquals(x.tensors().keySet(), y.tensors().keySet(), what);
        assertTrue(x.tensors().keySet().stream().anyMatch(k -> k.startsWith("adam.v.")), "the checkpoint holds the moments");
        x.tensors().forEach((name, t) -> {
            float[] u = floats(t), v = floats(y.tensors().get(name));
            assertEquals(u.length, v.length, what + " " + name);
            double scale = 0;
            for (float f : u) {
                scale = Math.max(scale, Math.abs(f));
            }
            for (int i = 0; i < u.length; i++) { // to float32 rounding of the tensor's largest entry
                assertEquals(u[i], v[i], TOLERANCE * scale, what + ": " + name + "[" + i + "]");
            }
        });
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, TOLERANCE * Math.max(1e-3, Math.abs(expected)), what);
    }

    private static float[] floats(Safetensors.Tensor t) {
        assertEquals("F32", t.dtype());
        float[] f = new float[t.data().length / 4];
        ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
