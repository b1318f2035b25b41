package dev.fulcrum.lm.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.TinyModels;
import dev.fulcrum.lm.model.TokenBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward model reads the final hidden state of each sequence's last real token: checked against the trunk run on
 * each sequence alone (no padding) and a dot product written out in Java; the Bradley-Terry loss through the whole model
 * passes a float64 finite-difference check; save and load keep the numbers. The same three checks for the head that
 * also reads gated response likelihoods, whose value is recomputed here from each sequence's own logits with a
 * log-softmax written out in Java.
 */
class RewardModelTest {
    @TempDir
    Path dir;

    private static final List<int[]> SEQUENCES = List.of(new int[] {1, 4, 2, 9, 3}, new int[] {7, 5}, new int[] {6, 8, 10});

    @Test
    void rewardIsTheHeadAppliedToTheLastRealToken() {
        for (LmConfig config : List.of(TinyModels.GPT2, TinyModels.LLAMA)) {
            try (NDManager m = Torch.newManager()) {
                RewardModel rm = RewardModel.withNewHead(m, TinyModels.random(m, config, DataType.FLOAT64, 3), new Rng(4));
                double[] head = rm.parameters().get(RewardModel.HEAD).toDoubleArray();
                double[] batched = rm.score(m, SEQUENCES, 3);
                for (int i = 0; i < SEQUENCES.size(); i++) {
                    int[] s = SEQUENCES.get(i);
                    try (NDScope ignored = new NDScope()) {
                        TokenBatch alone = TokenBatch.of(List.of(s), 0, TokenBatch.Padding.RIGHT);
                        double[] last = rm.trunk().hiddenStates(alone.idTensor(m), alone.positionTensor(m),
                                alone.causalBias(m, DataType.FLOAT64), null).get(new NDIndex("0, -1, :")).toDoubleArray();
                        double expected = 0;
                        for (int j = 0; j < head.length; j++) {
                            expected += head[j] * last[j];
                        }
                        assertEquals(expected, batched[i], 1e-12, config.family() + " sequence " + i);
                    }
                }
            }
        }
    }

    @Test
    void bradleyTerryGradientThroughTheModelMatchesFiniteDifferences() {
        for (LmConfig config : List.of(TinyModels.GPT2, TinyModels.LLAMA)) {
            try (NDManager m = Torch.newManager()) {
                RewardModel rm = RewardModel.withNewHead(m, TinyModels.random(m, config, DataType.FLOAT64, 5), new Rng(6));
                assertFalse(rm.parameters().containsKey("lm_head.weight"), "the trunk's output head is not a reward parameter");
                List<int[]> chosen = SEQUENCES, rejected = List.of(new int[] {1, 4, 2}, new int[] {7, 5, 3, 3}, new int[] {6});
                GradCheck.Result r = GradCheck.check(rm.parameters(), () -> {
                    NDArray rewards = rm.rewards(m, List.of(chosen.get(0), chosen.get(1), chosen.get(2), rejected.get(0),
                            rejected.get(1), rejected.get(2)));
                    return BradleyTerry.loss(rewards.get(new NDIndex("0:3")), rewards.get(new NDIndex("3:")), 0.01).mean();
                }, 1e-6, 6);
                assertTrue(r.maxRelativeError() < 1e-6, config.family() + ": " + r);
            }
        }
    }

    @Test
    void saveAndLoadKeepRewards() {
        LmConfig untied = LmConfig.llama(11, 8, 2, 2, 1, 12, 16, 10000.0, false);
        try (NDManager m = Torch.newManager()) {
            RewardModel rm = RewardModel.withNewHead(m, TinyModels.random(m, untied, DataType.FLOAT32, 7), new Rng(8));
            rm.save(dir.resolve("rm"), null, 0);
            RewardModel back = RewardModel.load(dir.resolve("rm"), m, DataType.FLOAT32);
            assertArrayEquals(rm.score(m, SEQUENCES, 2), back.score(m, SEQUENCES, 2), 0.0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HfCheckpoint.load(dir.resolve("rm"), m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("lm_head.weight") || e.getMessage().contains("score.weight"), e.getMessage());

            DecoderLm lm = TinyModels.random(m, TinyModels.GPT2, DataType.FLOAT32, 9);
            HfCheckpoint.save(lm, dir.resolve("lm"), null);
            IllegalArgumentException notRm = assertThrows(IllegalArgumentException.class,
                    () -> RewardModel.load(dir.resolve("lm"), m, DataType.FLOAT32));
            assertTrue(notRm.getMessage().contains("not a reward model"), notRm.getMessage());
        }
    }

    private static final int[] STARTS = {2, 1, 2};

    /**
     * A likelihood-reading model on the random tiny trunk {@code TinyModels.random(config, seed)}, with its gate set to
     * random values (it starts at zero). With a reference, the trunk is then moved to other random values, so that trunk
     * and reference differ (the reference stays the seed's model).
     */
    private static RewardModel likelihoodModel(NDManager m, LmConfig config, long seed, String kind) {
        RewardModel rm = RewardModel.withNewHead(m, TinyModels.random(m, config, DataType.FLOAT64, seed), kind, 0, new Rng(seed + 1));
        if (!kind.equals(RewardModel.LIKELIHOOD_HEAD)) { // the reference and dual heads
            DecoderLm other = TinyModels.random(m, config, DataType.FLOAT64, seed + 100);
            rm.trunk().parameters().forEach((name, p) -> p.set(other.parameters().get(name).toByteBuffer()));
        }
        RewardModelFixtures.randomiseGate(m, rm, new Rng(seed + 2));
        return rm;
    }

    @ParameterizedTest
    @ValueSource(strings = {RewardModel.LIKELIHOOD_HEAD, RewardModel.REFERENCE_LIKELIHOOD_HEAD, RewardModel.DUAL_LIKELIHOOD_HEAD})
    void likelihoodHeadAddsGatedResponseLogProbabilitiesWrittenOut(String kind) {
        for (LmConfig config : List.of(TinyModels.GPT2, TinyModels.LLAMA)) {
            try (NDManager m = Torch.newManager()) {
                RewardModel rm = likelihoodModel(m, config, 11, kind);
                assertTrue(rm.readsLikelihood());
                assertEquals(kind, rm.headKind());
                // log-probabilities from the trunk itself, or from the reference (the seed's model, rebuilt here), or
                // both, each under its own gate
                DecoderLm reference = TinyModels.random(m, config, DataType.FLOAT64, 11);
                Map<String, DecoderLm> gatedScorers = switch (kind) {
                    case RewardModel.LIKELIHOOD_HEAD -> Map.of("likelihood_gate", rm.trunk());
                    case RewardModel.REFERENCE_LIKELIHOOD_HEAD -> Map.of("likelihood_gate", reference);
                    default -> Map.of("likelihood_gate", rm.trunk(), "reference_gate", reference);
                };
                // the second batch's responses all start late: its states before position 2 are not projected
                List<int[]> late = List.of(SEQUENCES.get(0), SEQUENCES.get(2));
                int[] lateStarts = {3, 2};
                for (int c = 0; c < 2; c++) {
                    List<int[]> sequences = c == 0 ? SEQUENCES : late;
                    int[] starts = c == 0 ? STARTS : lateStarts;
                    double[] batched = rm.score(m, sequences, starts, 3);
                    double[] logLikelihoods = null;
                    try (NDScope ignored = new NDScope()) {
                        NDArray ll = rm.scored(m, sequences, starts).responseLogLikelihoods();
                        assertEquals(rm.readsTrunkLikelihood(), ll != null,
                                "the trunk's response log-likelihoods come with the head that reads them");
                        logLikelihoods = ll == null ? null : ll.toDoubleArray();
                    }
                    for (int i = 0; i < sequences.size(); i++) {
                        double logLikelihood = expectLikelihoodReward(rm, gatedScorers, m, sequences.get(i), starts[i],
                                batched[i], config.family() + " sequence " + i);
                        if (logLikelihoods != null) {
                            assertEquals(logLikelihood, logLikelihoods[i], 1e-12, config.family() + " log-likelihood " + i);
                        }
                    }
                }
                IllegalArgumentException noStarts = assertThrows(IllegalArgumentException.class, () -> rm.score(m, SEQUENCES, 3));
                assertTrue(noStarts.getMessage().contains("where each response starts"), noStarts.getMessage());
                assertThrows(IllegalArgumentException.class, () -> rm.score(m, SEQUENCES, new int[] {2, 2, 2}, 3));
            }
        }
    }

    /**
     * {@code w . h_T + sum_{gates g} sum_{t >= start} (u_g . h_{t-1} + c_g) log p_g(z_t)} of one sequence run alone, written
     * out: states {@code h} of the reward model's trunk, gate {@code g} ({@code <g>.weight}, {@code <g>.bias}) weighting
     * the log-probabilities of its scorer in {@code gatedScorers}. Returns the response's log-likelihood
     * {@code sum_{t >= start} log p(z_t)} under the trunk, where a gate reads it (else NaN).
     */
    private static double expectLikelihoodReward(RewardModel rm, Map<String, DecoderLm> gatedScorers, NDManager m, int[] s,
                                                 int start, double actual, String what) {
        double[] head = rm.parameters().get(RewardModel.HEAD).toDoubleArray();
        double trunkLogLikelihood = Double.NaN;
        try (NDScope ignored = new NDScope()) {
            TokenBatch alone = TokenBatch.of(List.of(s), 0, TokenBatch.Padding.RIGHT);
            NDArray hidden = rm.trunk().hiddenStates(alone.idTensor(m), alone.positionTensor(m),
                    alone.causalBias(m, DataType.FLOAT64), null).get(new NDIndex("0"));
            double expected = dot(head, hidden.get(new NDIndex("-1")).toDoubleArray());
            for (var gated : gatedScorers.entrySet()) {
                double[] gate = rm.parameters().get(gated.getKey() + ".weight").toDoubleArray();
                double gateBias = rm.parameters().get(gated.getKey() + ".bias").toDoubleArray()[0];
                DecoderLm scorer = gated.getValue();
                NDArray logits = scorer.head(scorer.hiddenStates(alone.idTensor(m), alone.positionTensor(m),
                        alone.causalBias(m, DataType.FLOAT64), null).get(new NDIndex("0")));
                double logLikelihood = 0;
                for (int t = start; t < s.length; t++) {
                    double[] h = hidden.get(new NDIndex("{}", t - 1)).toDoubleArray();
                    double[] z = logits.get(new NDIndex("{}", t - 1)).toDoubleArray();
                    double max = java.util.Arrays.stream(z).max().orElseThrow(), sum = 0;
                    for (double v : z) {
                        sum += Math.exp(v - max);
                    }
                    double logP = z[s[t]] - max - Math.log(sum);
                    expected += (dot(gate, h) + gateBias) * logP;
                    logLikelihood += logP;
                }
                if (scorer == rm.trunk()) {
                    trunkLogLikelihood = logLikelihood;
                }
            }
            assertEquals(expected, actual, 1e-12, what);
            return trunkLogLikelihood;
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {RewardModel.LIKELIHOOD_HEAD, RewardModel.REFERENCE_LIKELIHOOD_HEAD, RewardModel.DUAL_LIKELIHOOD_HEAD})
    void likelihoodHeadGradientMatchesFiniteDifferences(String kind) {
        LmConfig untied = LmConfig.llama(11, 8, 2, 2, 1, 12, 16, 10000.0, false);
        for (LmConfig config : List.of(TinyModels.GPT2, untied)) {
            try (NDManager m = Torch.newManager()) {
                RewardModel rm = likelihoodModel(m, config, 13, kind);
                assertTrue(rm.parameters().containsKey(RewardModel.GATE_WEIGHT));
                assertEquals(kind.equals(RewardModel.DUAL_LIKELIHOOD_HEAD), rm.parameters().containsKey(RewardModel.REFERENCE_GATE_WEIGHT));
                if (!config.tieEmbeddings()) {
                    assertEquals(rm.readsTrunkLikelihood(), rm.parameters().containsKey("lm_head.weight"),
                            "the trunk's output head is part of the reward exactly when it gives the log-probabilities");
                }
                List<int[]> rejected = List.of(new int[] {1, 4, 2}, new int[] {7, 5, 3, 3}, new int[] {6, 2});
                int[] starts = {STARTS[0], STARTS[1], STARTS[2], 2, 1, 1};
                GradCheck.Result r = GradCheck.check(rm.parameters(), () -> {
                    NDArray rewards = rm.rewards(m, List.of(SEQUENCES.get(0), SEQUENCES.get(1), SEQUENCES.get(2), rejected.get(0),
                            rejected.get(1), rejected.get(2)), starts);
                    return BradleyTerry.loss(rewards.get(new NDIndex("0:3")), rewards.get(new NDIndex("3:")), 0.01).mean();
                }, 1e-6, 6);
                assertTrue(r.maxRelativeError() < 1e-6, config.family() + ": " + r);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {RewardModel.LIKELIHOOD_HEAD, RewardModel.REFERENCE_LIKELIHOOD_HEAD, RewardModel.DUAL_LIKELIHOOD_HEAD})
    void likelihoodHeadSavesAndLoads(String kind) throws java.io.IOException {
        LmConfig untied = LmConfig.llama(11, 8, 2, 2, 1, 12, 16, 10000.0, false);
        try (NDManager m = Torch.newManager()) {
            RewardModel rm = likelihoodModel(m, untied, 15, kind);
            Path saved = dir.resolve(kind);
            rm.save(saved, null, 0);
            RewardModel back = RewardModel.load(saved, m, DataType.FLOAT64);
            assertEquals(kind, back.headKind());
            assertArrayEquals(rm.score(m, SEQUENCES, STARTS, 2), back.score(m, SEQUENCES, STARTS, 2), 0.0);
            assertEquals(rm.lastTokenPart().score(m, SEQUENCES, 2)[0], back.lastTokenPart().score(m, SEQUENCES, 2)[0], 0.0);
            assertFalse(back.lastTokenPart().parameters().containsKey(RewardModel.GATE_WEIGHT));
            String config = dev.fulcrum.core.io.Json.MAPPER.readTree(saved.resolve("config.json").toFile()).path(RewardModel.HEAD_KEY).asText();
            assertEquals(kind, config);
            if (!kind.equals(RewardModel.LIKELIHOOD_HEAD)) {
                dev.fulcrum.core.io.AtomicFiles.deleteTree(saved.resolve(RewardModel.REFERENCE_DIR));
                IllegalArgumentException noReference = assertThrows(IllegalArgumentException.class,
                        () -> RewardModel.load(saved, m, DataType.FLOAT64));
                assertTrue(noReference.getMessage().contains("no reference/ directory"), noReference.getMessage());
            }
        }
    }
}
