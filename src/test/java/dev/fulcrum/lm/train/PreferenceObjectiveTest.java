package dev.fulcrum.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.Message;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.diagnostics.PairScoring;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link PreferenceObjective} against an independent computation: the trainer's loss on a batch equals the DPO family's
 * formula evaluated in Java on sequence log-probabilities that {@link PairScoring} computes separately under the policy
 * and the reference; a finite-difference check (float64) of its gradient through the whole model; flat memory; and
 * clear errors for data it cannot read.
 */
class PreferenceObjectiveTest {
    @TempDir
    Path dir;

    private final ByteTokenizer bytes = new ByteTokenizer();

    private PreferenceObjective objective(NDManager m, DataType dtype, List<PreferenceExample> data, String... settings) {
        LmTrainConfig cfg = LmRuns.config("dpo", dir, concat(LmRuns.MICRO_MODEL, settings));
        DecoderLm policy = DecoderLm.initialise(m, cfg.model().toConfig(bytes), dtype, new Rng(1));
        DecoderLm other = DecoderLm.initialise(m, cfg.model().toConfig(bytes), dtype, new Rng(2)); // a reference unlike the policy
        return new PreferenceObjective(policy, PreferenceObjective.frozenCopy(other, m), "test", bytes, data, "p.jsonl",
                cfg.preference().pairObjective(), cfg.preference(), new Rng(3));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private List<PreferenceExample> pairs() {
        return PreferenceJsonl.read(LmRuns.preferenceData(dir, 2, "str-upper", "sort-asc"));
    }

    /** -log sigma(x) */
    private static double softplusNeg(double x) {
        return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
    }

    @ParameterizedTest
    @CsvSource({"sigmoid,precomputed", "sigmoid,live", "ipo,precomputed", "simpo,live", "robust,live"})
    void batchLossEqualsTheFormulaOnIndependentScores(String loss, String mode) {
        List<PreferenceExample> data = pairs();
        double beta = loss.equals("simpo") ? 2.0 : 0.1, e = loss.equals("robust") ? 0.2 : 0.0, gamma = 0.5;
        try (NDManager m = Torch.newManager()) {
            PreferenceObjective o = objective(m, DataType.FLOAT32, data, "preference.loss=" + loss, "preference.beta=" + beta,
                    "preference.labelSmoothing=" + e, "preference.simpoGamma=" + gamma, "preference.referenceMode=" + mode,
                    "preference.heldOutFraction=0");
            int[] batch = {0, 3, 5, 2};
            List<PreferenceExample> rows = Arrays.stream(batch).mapToObj(data::get).toList(); // nothing held out: row i is example i
            List<PairScoring.Scored> pol, ref;
            try (NDScope ignored = new NDScope()) {
                pol = PairScoring.score(o.model(), bytes, m, rows, 2);
                ref = PairScoring.score(o.reference(), bytes, m, rows, 3);
            }
            double expected = 0, rewardChosen = 0;
            for (int k = 0; k < batch.length; k++) {
                PairScoring.Scored p = pol.get(k), r = ref.get(k);
                double z = (p.chosen() - r.chosen()) - (p.rejected() - r.rejected());
                expected += switch (loss) {
                    case "sigmoid" -> softplusNeg(beta * z);
                    case "robust" -> ((1 - e) * softplusNeg(beta * z) - e * softplusNeg(-beta * z)) / (1 - 2 * e);
                    case "ipo" -> {
                        double zAvg = (p.chosen() - r.chosen()) / p.chosenTokens() - (p.rejected() - r.rejected()) / p.rejectedTokens();
                        yield Math.pow(zAvg - 1 / (2 * beta), 2);
                    }
                    case "simpo" -> softplusNeg(beta * (p.chosen() / p.chosenTokens() - p.rejected() / p.rejectedTokens()) - gamma);
                    default -> throw new IllegalArgumentException(loss);
                };
                rewardChosen += loss.equals("simpo") ? beta * p.chosen() / p.chosenTokens() : beta * (p.chosen() - r.chosen());
            }
            expected /= batch.length;
            rewardChosen /= batch.length;
            try (NDScope ignored = new NDScope()) {
                LmObjective.BatchLoss l = o.loss(m, batch);
                assertEquals(expected, Torch.scalar(l.loss()), 2e-5 * Math.max(1, Math.abs(expected)), loss + " " + mode);
                assertEquals(rewardChosen, l.metrics().get("rewards/chosen"), 2e-5 * Math.max(1, Math.abs(rewardChosen)));
                assertTrue(l.metrics().keySet().containsAll(List.of("rewards/rejected", "rewards/margins", "rewards/accuracies",
                        "logps/chosen", "logps/rejected")), l.metrics().toString());
            }
        }
    }

    @Test
    void gradientThroughTheModelMatchesFiniteDifferences() {
        try (NDManager m = Torch.newManager()) {
            PreferenceObjective o = objective(m, DataType.FLOAT64, pairs(), "preference.heldOutFraction=0", "preference.beta=0.5");
            GradCheck.Result r = GradCheck.check(o.parameters(), () -> o.loss(m, new int[] {1, 4, 2}).loss(), 1e-6, 4);
            assertTrue(r.maxRelativeError() < 1e-6, r.toString());
        }
    }

    @Test
    void stepsAndEvaluationsKeepLiveTensorsFlat() {
        try (NDManager m = Torch.newManager()) {
            for (String mode : List.of("precomputed", "live")) {
                PreferenceObjective o = objective(m, DataType.FLOAT32, pairs(), "preference.referenceMode=" + mode,
                        "preference.heldOutFraction=0.34", "preference.klSamples=2", "preference.klMaxNewTokens=8");
                Adam adam = new OptimizerSettings(1e-3, 1e-4, 0, 0.1, 0.9, 0.95, 1e-8, 1).optimizer(m, o.parameters());
                Runnable steps = () -> {
                    for (int i = 0; i < 10; i++) {
                        try (NDScope ignored = new NDScope(); Torch.Tape tape = new Torch.Tape()) {
                            adam.zeroGradients();
                            tape.backward(o.loss(m, new int[] {i % 5, (i + 2) % 5}).loss());
                        }
                        adam.step();
                    }
                    o.evaluate(m);
                };
                steps.run();
                int before = m.getManagedArrays().size();
                steps.run();
                assertEquals(before, m.getManagedArrays().size(), mode + ": live tensors after 10 more steps and an evaluation");
            }
        }
    }

    @Test
    void evaluationReportsRankingDiagnosticsAndKl() {
        try (NDManager m = Torch.newManager()) {
            PreferenceObjective o = objective(m, DataType.FLOAT32, pairs(), "preference.heldOutFraction=0.5", "preference.klSamples=2",
                    "preference.klMaxNewTokens=8");
            Map<String, Double> e = o.evaluate(m);
            for (String k : List.of("eval_loss", "eval_rewards/accuracies", "ranking_accuracy", "ranking_accuracy_length_normalised",
                    "idealised_ranking_accuracy", "alignment_gap", "reference_ranking_accuracy", "train_ranking_accuracy",
                    "kl_to_reference")) {
                assertTrue(e.containsKey(k) && Double.isFinite(e.get(k)), k + " in " + e);
            }
            assertEquals(e.get("idealised_ranking_accuracy") - e.get("ranking_accuracy"), e.get("alignment_gap"), 1e-12);
            assertEquals(e, o.evaluate(m), "evaluation is deterministic (the KL samples reuse one seed)");
        }
    }

    @Test
    void malformedConversationalRowsAndForeignReferenceScoresAreRefused() throws Exception {
        try (NDManager m = Torch.newManager()) {
            Content chat = Content.chat(List.of(new Message("user", "hi")));
            List<PreferenceExample> data = List.of(new PreferenceExample(chat, Content.chat(List.of(new Message("assistant", "a"))),
                    Content.chat(List.of(new Message("user", "b"))), Map.of()));
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> objective(m, DataType.FLOAT32, data));
            assertTrue(ex.getMessage().contains("pair 1") && ex.getMessage().contains("assistant message"), ex.getMessage());

            Path run = Files.createDirectories(dir.resolve("run"));
            objective(m, DataType.FLOAT32, pairs()).attach(run, m);
            assertTrue(Files.isRegularFile(run.resolve(PreferenceObjective.REFERENCE_FILE)));
            List<PreferenceExample> fewer = pairs().subList(0, 12);
            ex = assertThrows(IllegalArgumentException.class, () -> objective(m, DataType.FLOAT32, fewer).attach(run, m));
            assertTrue(ex.getMessage().contains("reference log-probabilities of other pairs"), ex.getMessage());
        }
    }
}
