package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.ChatTemplate;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TRL's conversational rows train through the chat template: SFT (messages) and the reward model (chat pairs). */
class ConversationalTrainingTest {
    @TempDir
    Path dir;

    @Test
    void sftOnMessagesLearnsAndExportsItsTemplate() throws Exception {
        Path data = dir.resolve("sft.jsonl");
        SftJsonl.write(data, OracleDatasets.sft(OracleDatasets.sources(List.of("str-upper"), 0, 20), true), SftFormat.MESSAGES);
        assertTrue(Files.readString(data).contains("\"messages\""));
        List<String> o = new ArrayList<>(List.of(LmRuns.MICRO_MODEL));
        o.addAll(List.of("steps=30", "logEvery=5", "batchSize=8", "evalEvery=30", "eval.problemsPerFamily=2", "optimizer.learningRate=3e-3",
                "tokenizer=bytes"));
        var r = new LmTrainer(LmRuns.config("sft", data, o.toArray(String[]::new)), dir.resolve("run")).fit();
        var losses = dev.fulcrum.core.run.MetricsLog.read(r.runDir().resolve("metrics.jsonl")).stream()
                .filter(n -> n.path("phase").asText().equals("train")).map(n -> n.path("loss").asDouble()).toList();
        assertTrue(losses.getLast() < losses.getFirst(), "loss falls: " + losses);
        Path model = r.runDir().resolve(LmTrainer.MODEL_DIR);
        assertEquals(ChatTemplate.Style.CHATML, ChatTemplate.of(model).style());
        assertTrue(Files.isRegularFile(model.resolve(ChatTemplate.JINJA_FILE)));
    }

    @Test
    void rewardModelAndDpoTrainOnConversationalPairs() {
        Path data = dir.resolve("prefs.jsonl");
        PreferenceJsonl.write(data, OracleDatasets.preferences(OracleDatasets.sources(List.of("str-upper"), 0, 10),
                new BradleyTerryOracle(0.1), new Rng(0).split("labels"), true), PreferenceFormat.CONVERSATIONAL);
        List<String> o = new ArrayList<>(List.of(LmRuns.MICRO_MODEL));
        o.addAll(List.of("steps=5", "batchSize=8", "evalEvery=5", "tokenizer=bytes"));
        var r = new LmTrainer(LmRuns.config("reward", data, o.toArray(String[]::new)), dir.resolve("rm")).fit();
        assertEquals(5, r.stepsDone());
        var d = new LmTrainer(LmRuns.config("dpo", data, o.toArray(String[]::new)), dir.resolve("dpo")).fit();
        assertEquals(5, d.stepsDone(), "DPO reads the same conversational pairs");
    }
}
