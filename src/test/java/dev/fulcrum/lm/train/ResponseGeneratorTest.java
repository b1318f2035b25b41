package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.SftExample;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.TinyModels;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tool calls during generation: where a pending call ends, and the executor's result replacing a made-up one. */
class ResponseGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void pendingCallEndFindsTheFirstCallWithoutAResult() {
        assertEquals(-1, ResponseGenerator.pendingCallEnd("", "Answer: 4"));
        assertEquals(22, ResponseGenerator.pendingCallEnd("", "<call>calc(2*3)</call><result>7</result>Answer: 7"));
        assertEquals(-1, ResponseGenerator.pendingCallEnd("", "x</call> then nothing"), "a closing tag without a call");
        String first = "<call>lookup(price, fig)</call><result>3</result>";
        assertEquals(22, ResponseGenerator.pendingCallEnd(first, "<call>calc(4*3)</call>Answer"), "the second call, after one done");
        assertEquals(-1, ResponseGenerator.pendingCallEnd("<call>calc(1", "+1)"), "not closed yet");
    }

    /**
     * Prompts of very different lengths near the model's position limit decode together as they do alone: the long one
     * gets what room is left, the short one its whole budget (a batch shares one decoding length, so the short row
     * finishes over several rounds).
     */
    @Test
    void batchedResponsesEqualResponsesAloneNearThePositionLimit() {
        LmConfig shape = LmConfig.llama(259, 16, 1, 2, 2, 24, 40, 10000.0, true).withSpecialTokens(ByteTokenizer.BOS, -1);
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = TinyModels.random(m, shape, DataType.FLOAT32, 11);
            ResponseGenerator g = new ResponseGenerator(model, new ByteTokenizer());
            List<String> prompts = List.of("a much longer prompt, 30 bytes", "hi");
            ResponseGenerator.Settings s = ResponseGenerator.Settings.greedy(25, 0, 8);
            List<int[]> together = g.respondIds(m, prompts, s, new Rng(0));
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(g.respondIds(m, List.of(prompts.get(i)), s, new Rng(0)).getFirst(), together.get(i), "prompt " + i);
            }
            assertEquals(40 - 31, together.get(0).length, "the long prompt (31 ids with BOS) fills the positions left");
            assertEquals(25, together.get(1).length, "the short one gets its whole budget");
        }
    }

    /**
     * A micro model memorises one transcript whose tool result is made up (2*3 = 7). Without tools it writes it back
     * verbatim; with tools the call is cut at {@code </call>}, the executor appends the true result, and decoding continues
     * from there.
     */
    @Test
    void executorResultsReplaceMadeUpOnes() {
        String prompt = "Compute 2*3 with the calculator.\n";
        String memorised = "<call>calc(2*3)</call><result>7</result>Answer: 7";
        Path data = dir.resolve("one.jsonl");
        SftJsonl.write(data, List.of(SftExample.text(prompt, memorised)), SftFormat.PROMPT_COMPLETION);
        LmTrainConfig cfg = LmRuns.config("sft", data, "steps=120", "batchSize=1", "logEvery=40", "evalEvery=1000",
                "checkpointEvery=1000", "eval.families=str-upper", "eval.problemsPerFamily=1", "eval.maxNewTokens=4",
                "optimizer.learningRate=3e-3", "optimizer.warmupSteps=10", "optimizer.weightDecay=0", "model.hiddenSize=32",
                "model.layers=1", "model.heads=2", "model.kvHeads=2", "model.intermediateSize=64", "model.maxPositions=128");
        new LmTrainer(cfg, dir.resolve("run")).fit();
        try (NDManager m = Torch.newManager()) {
            DecoderLm model = HfCheckpoint.load(dir.resolve("run").resolve(LmTrainer.MODEL_DIR), m, DataType.FLOAT32);
            ResponseGenerator g = new ResponseGenerator(model, new ByteTokenizer());
            String plain = g.respond(m, List.of(prompt), ResponseGenerator.Settings.greedy(80, 0, 4), new Rng(0)).getFirst();
            assertEquals(memorised, plain, "memorised, and stopped at <eos>");
            String tooled = g.respond(m, List.of(prompt), ResponseGenerator.Settings.greedy(80, 4, 4), new Rng(0)).getFirst();
            assertTrue(tooled.startsWith("<call>calc(2*3)</call><result>6</result>"), tooled);
            String cut = g.respond(m, List.of(prompt), ResponseGenerator.Settings.greedy(10, 4, 4), new Rng(0)).getFirst();
            assertEquals(memorised.substring(0, 10), cut, "the budget cuts the response");
        }
    }
}
