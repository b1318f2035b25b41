package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SRPO training from the smoke SFT base on Bradley-Terry-labelled {@code str-upper} pairs: at the start the policy is its
 * own reference, so every log-ratio is 0 and the loss is exactly {@code (1-alpha) 1 + alpha (1/4 + 1/4)}; training lowers
 * it and teaches the reviser to prefer the chosen response given the rejected draft. Self-revision then runs its rounds
 * with the trained model.
 */
class SrpoLearningTest {
    @TempDir
    Path dir;

    @Test
    void srpoLowersItsLossAndLearnsToRevise() {
        Path base = BaseSft.obtain(BaseSft.Spec.smoke(), dir.resolve("cache"), false);
        Path data = LmRuns.preferenceData(dir, 40, "str-upper");
        LmTrainConfig cfg = LmRuns.config("srpo", data, "init=" + base.resolve(LmTrainer.MODEL_DIR), "steps=40", "batchSize=8",
                "logEvery=10", "evalEvery=1000", "checkpointEvery=1000", "srpo.beta=0.1", "optimizer.learningRate=3e-3",
                "optimizer.warmupSteps=5");
        Path model = base.resolve(LmTrainer.MODEL_DIR);

        Map<String, Double> before;
        try (NDManager m = Torch.newManager()) {
            Tokenizer tokenizer = TokenizerFiles.ofModel(model);
            SrpoObjective fresh = new SrpoObjective(m, HfCheckpoint.load(model, m, DataType.FLOAT32),
                    HfCheckpoint.load(model, m, DataType.FLOAT32), tokenizer, PreferenceJsonl.read(data), data.toString(), cfg.srpo());
            before = fresh.evaluate(m);
            TokenizerFiles.close(tokenizer);
        }
        double alpha = cfg.srpo().alpha();
        assertEquals((1 - alpha) + alpha * 0.5, before.get("probe_loss"), 1e-6, "policy = reference: all log-ratios are 0");

        LmTrainer.Result r = new LmTrainer(cfg, dir.resolve("run")).fit();
        Map<String, Double> after = r.finalEvaluation();
        assertTrue(after.get("probe_loss") < before.get("probe_loss") - 0.05, before + " -> " + after);
        assertTrue(after.get("probe_revision_accuracy_rejected") > 0.8, "the reviser prefers yw given the draft yl: " + after);
        assertTrue(after.get("probe_rewards_accuracy") > 0.8, "the generator prefers yw: " + after);

        // self-revision with the trained model: round 0 is the plain greedy response, every round has a response per prompt
        List<Problem> problems = TaskSuite.problems(TaskSuite.family("str-upper"), 7, 4);
        List<String> prompts = problems.stream().map(Problem::prompt).toList();
        ResponseGenerator.Settings greedy = ResponseGenerator.Settings.greedy(40, 0, 4);
        try (NDManager m = Torch.newManager()) {
            Path trained = r.runDir().resolve(LmTrainer.MODEL_DIR);
            DecoderLm lm = HfCheckpoint.load(trained, m, DataType.FLOAT32);
            Tokenizer tokenizer = TokenizerFiles.ofModel(trained);
            SelfRevision revision = new SelfRevision(lm, tokenizer, 8);
            SelfRevision.Rounds rounds = revision.run(m, prompts, 2, greedy, new Rng(0));
            assertEquals(2, rounds.rounds());
            assertEquals(new ResponseGenerator(lm, tokenizer).respond(m, prompts, greedy, new Rng(0)), rounds.round(0));
            for (int k = 0; k <= 2; k++) {
                assertEquals(prompts.size(), rounds.round(k).size());
                assertEquals(0, rounds.keptForLength().get(k));
            }
            assertEquals(rounds.responses(), revision.run(m, prompts, 2, greedy, new Rng(0)).responses(), "greedy is deterministic");
            // a reviser with no room left keeps every previous response
            SelfRevision cramped = new SelfRevision(lm, tokenizer, lm.config().maxPositions());
            SelfRevision.Rounds kept = cramped.run(m, prompts, 1, greedy, new Rng(0));
            assertEquals(kept.round(0), kept.round(1));
            assertEquals(prompts.size(), kept.keptForLength().get(1));
            TokenizerFiles.close(tokenizer);
        }
    }

    @Test
    void srpoNeedsAStartingModel() {
        Path data = LmRuns.preferenceData(dir, 2, "str-upper");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LmTrainer(LmRuns.config("srpo", data, "steps=1"), dir.resolve("run")).fit());
        assertTrue(e.getMessage().contains("--init"), e.getMessage());
    }
}
