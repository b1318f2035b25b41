package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.run.MetricsLog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny model (Llama, 64 wide, 2 layers) trained from scratch with byte tokens on 400 {@code str-upper} problems learns
 * the family: the completion loss falls from about ln 259 toward 0 (measured 1.5 at update 50, 0.01 at 250) and greedy
 * decoding solves unseen problems (measured 93% of 29; a fresh model solves none).
 */
class SftLearningTest {
    @TempDir
    Path dir;

    @Test
    void tinyModelLearnsUppercaseFromScratch() {
        Path data = LmRuns.sftData(dir, 400, "str-upper");
        LmTrainConfig cfg = LmRuns.config("sft", data, "steps=250", "logEvery=25", "evalEvery=1000", "checkpointEvery=1000",
                "eval.families=str-upper", "eval.problemsPerFamily=40", "optimizer.learningRate=3e-3",
                "optimizer.minLearningRate=3e-4", "optimizer.warmupSteps=20");
        LmTrainer.Result r = new LmTrainer(cfg, dir.resolve("run")).fit();
        assertEquals(250, r.stepsDone());

        List<JsonNode> train = MetricsLog.read(dir.resolve("run/metrics.jsonl")).stream()
                .filter(n -> n.get("phase").asText().equals("train")).toList();
        double first = train.getFirst().get("loss").asDouble(), last = train.getLast().get("loss").asDouble();
        assertTrue(first > 2.0, "starts far from the data: " + first);
        assertTrue(last < 0.3, "completion loss must fall clearly: first " + first + ", last " + last);
        assertTrue(train.getLast().get("tokens_per_s").asDouble() > 0);

        double solved = r.finalEvaluation().get("solve_rate.str-upper");
        assertTrue(solved >= 0.7, "solves unseen str-upper problems: " + solved);
        assertTrue(r.finalEvaluation().get("gold_reward.str-upper") > 0.9, r.finalEvaluation().toString());
    }
}
