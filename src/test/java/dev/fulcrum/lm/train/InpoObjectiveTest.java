package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.diagnostics.PairScoring;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INPO on the preference trainer ({@code preference.loss=inpo} with {@code preference.anchor}): the batch loss equals
 * INPO's formula on log-probabilities that {@link PairScoring} computes separately under the policy, the reference and the
 * anchor; the gradient through the model matches finite differences (float64); training drives h_t toward its target;
 * settings errors name the field.
 */
class InpoObjectiveTest {
    @TempDir
    Path dir;

    private final ByteTokenizer bytes = new ByteTokenizer();

    private PreferenceObjective objective(NDManager m, DataType dtype, List<PreferenceExample> data, String... settings) {
        String[] all = Arrays.copyOf(LmRuns.MICRO_MODEL, LmRuns.MICRO_MODEL.length + settings.length + 3);
        System.arraycopy(settings, 0, all, LmRuns.MICRO_MODEL.length, settings.length);
        all[all.length - 3] = "preference.loss=inpo";
        all[all.length - 2] = "preference.anchor=unused-by-this-test";
        all[all.length - 1] = "preference.heldOutFraction=0";
        LmTrainConfig cfg = LmRuns.config("dpo", dir, all);
        DecoderLm policy = DecoderLm.initialise(m, cfg.model().toConfig(bytes), dtype, new Rng(1));
        DecoderLm reference = DecoderLm.initialise(m, cfg.model().toConfig(bytes), dtype, new Rng(2));
        DecoderLm previous = DecoderLm.initialise(m, cfg.model().toConfig(bytes), dtype, new Rng(4));
        return new PreferenceObjective(policy, PreferenceObjective.frozenCopy(reference, m), "test", bytes, data, "p.jsonl",
                cfg.preference().pairObjective(), cfg.preference(), new Rng(3)).withAnchor(PreferenceObjective.frozenCopy(previous, m));
    }

    private List<PreferenceExample> pairs() {
        return PreferenceJsonl.read(LmRuns.preferenceData(dir, 2, "str-upper", "sort-asc"));
    }

    @Test
    void batchLossEqualsInposFormulaOnIndependentScores() {
        double eta = 0.2, tau = 0.05;
        List<PreferenceExample> data = pairs();
        try (NDManager m = Torch.newManager()) {
            PreferenceObjective o = objective(m, DataType.FLOAT32, data, "preference.beta=" + eta, "preference.inpoTau=" + tau);
            DecoderLm previous = DecoderLm.initialise(m, o.model().config(), DataType.FLOAT32, new Rng(4)); // the anchor's weights
            int[] batch = {0, 3, 5, 2};
            List<PreferenceExample> rows = Arrays.stream(batch).mapToObj(data::get).toList();
            List<PairScoring.Scored> pol, ref, prev;
            try (NDScope ignored = new NDScope()) {
                pol = PairScoring.score(o.model(), bytes, m, rows, 2);
                ref = PairScoring.score(o.reference(), bytes, m, rows, 3);
                prev = PairScoring.score(previous, bytes, m, rows, 4);
            }
            double expected = 0, h = 0;
            for (int k = 0; k < batch.length; k++) {
                double hk = (pol.get(k).chosen() - pol.get(k).rejected()) - (tau / eta) * (ref.get(k).chosen() - ref.get(k).rejected())
                        - ((eta - tau) / eta) * (prev.get(k).chosen() - prev.get(k).rejected());
                expected += Math.pow(hk - 1 / (2 * eta), 2) / batch.length;
                h += hk / batch.length;
            }
            try (NDScope ignored = new NDScope()) {
                LmObjective.BatchLoss l = o.loss(m, batch);
                assertEquals(expected, Torch.scalar(l.loss()), 2e-5 * Math.max(1, Math.abs(expected)));
                assertEquals(h, l.metrics().get("inpo/h"), 2e-5 * Math.max(1, Math.abs(h)));
            }
            assertTrue(Double.isFinite(o.evaluate(m).get("train_loss")), "evaluation reads the anchor too");
        }
    }

    @Test
    void gradientThroughTheModelMatchesFiniteDifferences() {
        try (NDManager m = Torch.newManager()) {
            PreferenceObjective o = objective(m, DataType.FLOAT64, pairs(), "preference.beta=0.5", "preference.inpoTau=0.2");
            GradCheck.Result r = GradCheck.check(o.parameters(), () -> o.loss(m, new int[] {1, 4, 2}).loss(), 1e-6, 4);
            assertTrue(r.maxRelativeError() < 1e-6, r.toString());
        }
    }

    /** From the smoke SFT model (reference = anchor = start), INPO drives the mean h_t from about 0 toward 1/(2 eta) = 2.5. */
    @Test
    void trainingMovesHTowardItsTarget() {
        Path base = BaseSft.obtain(BaseSft.Spec.smoke(), dir.resolve("cache"), false);
        Path data = LmRuns.preferenceData(dir, 30, "str-upper");
        Path model = base.resolve(LmTrainer.MODEL_DIR);
        LmTrainConfig cfg = LmRuns.config("dpo", data, "init=" + model, "steps=30", "batchSize=8", "logEvery=10", "evalEvery=1000",
                "checkpointEvery=1000", "optimizer.learningRate=2e-3", "optimizer.warmupSteps=3", "preference.loss=inpo",
                "preference.beta=0.2", "preference.inpoTau=0.05", "preference.anchor=" + model, "preference.reference=" + model,
                "preference.heldOutFraction=0", "preference.klSamples=0");
        Map<String, Double> after = new LmTrainer(cfg, dir.resolve("run")).fit().finalEvaluation();
        assertTrue(after.get("train_inpo/h") > 1.0, "h_t moved from 0 toward 2.5: " + after);
        assertTrue(after.get("train_rewards/accuracies") > 0.8, "pairs ranked as labelled: " + after);
    }

    @Test
    void settingsErrorsNameTheField() {
        ConfigException e = assertThrows(ConfigException.class, () -> LmRuns.config("dpo", dir, "preference.loss=inpo"));
        assertTrue(e.getMessage().contains("preference.anchor"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> LmRuns.config("dpo", dir, "preference.loss=inpo", "preference.anchor=x",
                "preference.beta=0.1", "preference.inpoTau=0.2"));
        assertTrue(e.getMessage().contains("preference.inpoTau"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> LmRuns.config("dpo", dir, "preference.loss=kto"));
        assertTrue(e.getMessage().contains("inpo"), e.getMessage());
    }
}
