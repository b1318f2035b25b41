package dev.fulcrum.lm.pit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.Message;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.RewardSettings;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gap reward model's objective: its loss on one pair is, by hand, the mean of the five Bradley-Terry terms over the
 * stated orderings of the four revision sequences; trained through {@code LmTrainer} (objective pit-reward) from the smoke
 * base, it ranks the orderings of held-out prompts better than chance.
 */
class GapRewardObjectiveTest {
    @TempDir
    static Path dir;
    static Path base;

    @BeforeAll
    static void smokeBase() {
        base = BaseSft.obtain(BaseSft.Spec.smoke(), dir.resolve("cache"), false).resolve(LmTrainer.MODEL_DIR);
    }

    @Test
    void lossOfOnePairIsTheMeanOfTheFiveOrderingTerms() {
        String x = "Upper: cat\n", w = "CAT", l = "cAt";
        RewardSettings settings = new RewardSettings(0.01, 0, 8, "last-token", 0);
        Tokenizer tokenizer = TokenizerFiles.ofModel(base);
        try (NDManager m = Torch.newManager()) {
            RewardModel rm = RewardModel.withNewHead(m, HfCheckpoint.load(base, m, DataType.FLOAT32), new Rng(1));
            GapRewardObjective objective = new GapRewardObjective(rm, tokenizer, List.of(PreferenceExample.text(x, w, l)), "pair",
                    settings, new Rng(0));
            // the four distinct revisions, scored on their own: <bos> x Draft: ref Revised: y <eos>
            int bos = tokenizer.special().bos(), eos = tokenizer.special().eos();
            String[][] revisions = {{l, w}, {w, w}, {l, l}, {w, l}}; // (reference, response): w|l, w|w, l|l, l|w
            List<int[]> seqs = new ArrayList<>();
            for (String[] r : revisions) {
                int[] p = tokenizer.encode(x + "Draft: " + r[0] + "\nRevised:\n"), y = tokenizer.encode(r[1]);
                int[] s = new int[p.length + y.length + 2];
                s[0] = bos;
                System.arraycopy(p, 0, s, 1, p.length);
                System.arraycopy(y, 0, s, 1 + p.length, y.length);
                s[s.length - 1] = eos;
                seqs.add(s);
            }
            double[] r = rm.score(m, seqs, 4);
            double wl = r[0], ww = r[1], ll = r[2], lw = r[3];
            double[][] hiLo = {{wl, ww}, {wl, ll}, {wl, lw}, {ww, lw}, {ll, lw}};
            double expected = 0;
            for (double[] p : hiLo) {
                expected += Math.log1p(Math.exp(p[1] - p[0])) + 0.01 * (p[0] + p[1]) * (p[0] + p[1]);
            }
            expected /= 5;
            double loss;
            try (NDScope ignored = new NDScope()) {
                loss = Torch.scalar(objective.loss(m, new int[] {0}).loss());
            }
            assertEquals(expected, loss, 1e-5);
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    @Test
    void conversationalRowsAreRefusedWithTheRow() {
        Tokenizer tokenizer = TokenizerFiles.ofModel(base);
        try (NDManager m = Torch.newManager()) {
            RewardModel rm = RewardModel.withNewHead(m, HfCheckpoint.load(base, m, DataType.FLOAT32), new Rng(1));
            PreferenceExample chat = new PreferenceExample(Content.chat(Message.user("hi")), Content.chat(Message.assistant("a")),
                    Content.chat(Message.assistant("b")), Map.of());
            var e = assertThrows(IllegalArgumentException.class, () -> new GapRewardObjective(rm, tokenizer, List.of(chat), "f.jsonl",
                    new RewardSettings(0, 0, 8, "last-token", 0), new Rng(0)));
            assertTrue(e.getMessage().contains("f.jsonl: pair 1"), e.getMessage());
        } finally {
            TokenizerFiles.close(tokenizer);
        }
    }

    @Test
    void trainedGapRewardRanksHeldOutOrderingsBetterThanChance() {
        Path data = dir.resolve("pairs.jsonl");
        PreferenceJsonl.write(data, OracleDatasets.preferences(OracleDatasets.sources(List.of("str-upper", "sort-asc"), 3, 12),
                new BradleyTerryOracle(0.1), new Rng(0).split("labels"), false), PreferenceFormat.STANDARD);
        LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("pit-reward"), null,
                List.of("data=" + data, "init=" + base, "steps=50", "batchSize=4", "logEvery=10", "evalEvery=1000",
                        "checkpointEvery=1000", "optimizer.learningRate=3e-3", "optimizer.warmupSteps=5",
                        "reward.heldOutFraction=0.25"));
        LmTrainer.Result r = new LmTrainer(cfg, dir.resolve("gap-rm")).fit();
        Map<String, Double> eval = r.finalEvaluation();
        assertTrue(eval.get("heldout_accuracy") > 0.65, "held-out orderings ranked better than chance (0.5): " + eval);
        assertTrue(eval.get("train_accuracy") > 0.7, eval.toString());
        // the run exports a reward model directory that loads as one (PPO's reward model)
        try (NDManager m = Torch.newManager()) {
            RewardModel.load(r.runDir().resolve(LmTrainer.MODEL_DIR), m, DataType.FLOAT32);
        }
    }
}
