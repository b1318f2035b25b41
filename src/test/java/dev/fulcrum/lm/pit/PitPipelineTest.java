package dev.fulcrum.lm.pit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.lm.align.RevisionPrompt;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole PIT pipeline at toy budgets from the smoke base: every part is written; stage 1's drafts are the pairs'
 * rejected responses plus one SFT sample per task; stage 2's drafts are exactly the stage-1 policy's own sampled revisions
 * of stage-1 prompts (regenerated here); stage 2 starts from the stage-1 policy and is anchored to the reviser SFT.
 */
class PitPipelineTest {
    @TempDir
    Path dir;

    @Test
    void curriculumDataFlowsFromDataToStageOnePolicyToStageTwo() throws IOException {
        Path base = BaseSft.obtain(BaseSft.Spec.smoke(), dir.resolve("cache"), false).resolve(LmTrainer.MODEL_DIR);
        PitSettings s = new PitSettings(base.toString(), List.of("str-upper"), 3, 100, 0.1, 20, 7, 3, 3, 2, 1, 6, 16,
                List.of("batchSize=4", "eval.problemsPerFamily=1"), List.of("batchSize=2", "reward.heldOutFraction=0.34"),
                List.of("ppo.criticPretrainSteps=1", "ppo.rolloutBatch=4", "ppo.minibatch=2"));
        Path out = dir.resolve("pit");
        Pit.Result r = Pit.run(s, out, false);

        for (Path run : List.of(r.reviserSft(), r.gapReward(), r.stage1(), r.stage2())) {
            assertTrue(Files.isRegularFile(run.resolve("summary.json")), run.toString());
            assertTrue(Files.isDirectory(run.resolve(LmTrainer.MODEL_DIR)), run.toString());
        }
        assertEquals(r.stage2().resolve(LmTrainer.MODEL_DIR), r.model());
        int pairs = Files.readAllLines(out.resolve(Pit.PAIRS)).size();
        assertEquals(20, pairs, "3 problems x 10 pairs, 20 kept");

        List<JsonNode> stage1 = rows(out.resolve("stage1-references.jsonl"));
        assertEquals(pairs, stage1.stream().filter(n -> n.get("source").asText().equals(Curriculum.DATA_REJECTED)).count());
        long sft = stage1.stream().filter(n -> n.get("source").asText().equals(Curriculum.SFT_SAMPLE)).count();
        assertTrue(sft >= 1 && sft <= 3, "one SFT sample per distinct task: " + sft);

        // stage 2's drafts: the stage-1 policy's samples on the stage-1 prompts the seeded draw picked
        List<JsonNode> stage2 = rows(out.resolve("stage2-references.jsonl"));
        assertEquals(6, stage2.size());
        int[] order = new Rng(7).split("stage2-prompts").permutation(stage1.size());
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            JsonNode picked = stage1.get(order[i]);
            prompts.add(RevisionPrompt.revise(picked.get("task_prompt").asText(), picked.get("reference").asText()));
            assertEquals(picked.get("task_prompt").asText(), stage2.get(i).get("task_prompt").asText(), "same task");
            assertEquals(Curriculum.STAGE1_POLICY, stage2.get(i).get("source").asText());
        }
        Path stage1Model = r.stage1().resolve(LmTrainer.MODEL_DIR);
        Tokenizer tokenizer = TokenizerFiles.ofModel(stage1Model);
        try (NDManager m = Torch.newManager()) {
            List<String> again = new ResponseGenerator(HfCheckpoint.load(stage1Model, m, DataType.FLOAT32), tokenizer).respond(m, prompts,
                    new ResponseGenerator.Settings(16, 0, 1.0, 0, 1.0, 64), new Rng(7).split("stage2-references"));
            assertEquals(again, stage2.stream().map(n -> n.get("reference").asText()).toList());
        } finally {
            TokenizerFiles.close(tokenizer);
        }

        JsonNode stage2Summary = Pit.readJson(r.stage2().resolve("summary.json"));
        assertEquals(r.reviserSft().resolve(LmTrainer.MODEL_DIR).toString(), stage2Summary.get("kl_reference").asText());
        assertEquals(stage1Model.toString(), Pit.readJson(r.stage2().resolve("config.json")).get("init").asText());
        assertEquals(r.reviserSft().resolve(LmTrainer.MODEL_DIR).toString(),
                Pit.readJson(r.stage1().resolve("config.json")).get("init").asText());
        JsonNode summary = Pit.readJson(out.resolve(Pit.SUMMARY));
        assertTrue(summary.get("gap_reward_evaluation").has("heldout_accuracy.wl>ww"), summary.toString());

        // a second run keeps the finished parts
        long before = Files.getLastModifiedTime(r.stage2().resolve("summary.json")).toMillis();
        Pit.run(s, out, false);
        assertEquals(before, Files.getLastModifiedTime(r.stage2().resolve("summary.json")).toMillis());
    }

    private static List<JsonNode> rows(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(Json.COMPACT.readTree(line));
        }
        return out;
    }
}
