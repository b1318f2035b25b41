package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mechanics that distinguish A2PR from TD3+BC, each checked against an independent row-by-row computation in Java:
 * the advantage filter, the advantage-guided target action, the regularisation mask (an or, as PyTorch's boolean sum in
 * the authors' code), and the schedule of one update (VAE every step, actor every second step).
 */
class A2prMechanicsTest {
    private static final int B = 24, S = 3, A = 2;

    @Test
    void advantageFilterKeepsExactlyThePositiveAdvantages() {
        try (NDManager m = Torch.newManager()) {
            NDArray q = Batches.vector(m, 1.0, 0.5, -1.0, 2.0, 0.25, -0.5);
            NDArray v = Batches.vector(m, 0.0, 0.5, 0.0, 3.0, 0.0, -0.75);
            // strict: Q == V (row 1) is not a positive advantage
            assertArrayEquals(new double[] {1, 0, 0, 0, 1, 1}, A2pr.advantageFilter(q, v).toDoubleArray());
        }
    }

    /**
     * The VAE's decoder learns only from the kept rows: its gradient on the whole batch equals (up to the mean's
     * normalisation) its gradient on the sub-batch of positive-advantage rows alone, with the same latent noise.
     */
    @Test
    void vaeDecoderLearnsOnlyFromPositiveAdvantageRows() {
        try (NDManager m = Torch.newManager()) {
            A2pr algo = A2prGradientTest.small(m, 31);
            Batch b = Batches.random(m, B, S, A, new Rng(11));
            NDArray noise = algo.sampleLatentNoise(b);
            NDArray filter = A2pr.advantageFilter(algo.critic.q1().q(b.observations(), b.actions()), algo.value.v(b.observations()));
            double[] keep = filter.toDoubleArray();
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < B; i++) {
                if (keep[i] == 1) {
                    kept.add(i);
                }
            }
            assertTrue(kept.size() > 2 && kept.size() < B - 2, "need a mixed batch, kept " + kept.size());

            Map<String, double[]> full = decoderGradient(algo, b, filter, noise);
            NDArray rows = m.create(kept.stream().mapToLong(Integer::longValue).toArray());
            Batch sub = new Batch(rowsOf(b.observations(), rows), rowsOf(b.actions(), rows), rowsOf(b.rewards(), rows),
                    rowsOf(b.nextObservations(), rows), rowsOf(b.dones(), rows));
            Map<String, double[]> subset = decoderGradient(algo, sub, m.ones(new ai.djl.ndarray.types.Shape(kept.size()),
                    filter.getDataType()), rowsOf(noise, rows));
            full.forEach((name, g) -> {
                double[] expected = subset.get(name);
                for (int i = 0; i < g.length; i++) {
                    assertEquals(expected[i] * kept.size() / B, g[i], 1e-12 + 1e-9 * Math.abs(expected[i]), name + "[" + i + "]");
                }
            });
        }
    }

    private static NDArray rowsOf(NDArray a, NDArray rows) {
        return a.get(new NDIndex("{}", rows));
    }

    private static Map<String, double[]> decoderGradient(A2pr algo, Batch b, NDArray filter, NDArray noise) {
        Map<String, NDArray> decoder = new java.util.LinkedHashMap<>();
        algo.vae.parameters().forEach((k, p) -> {
            Torch.zeroGradient(p);
            if (k.startsWith("decoder.")) {
                decoder.put(k, p);
            }
        });
        try (Torch.Tape tape = new Torch.Tape()) {
            tape.backward(algo.vaeLoss(b, filter, noise));
        }
        Map<String, double[]> g = new java.util.LinkedHashMap<>();
        decoder.forEach((k, p) -> g.put(k, p.getGradient().toDoubleArray()));
        return g;
    }

    /** Row by row: the target is the VAE's reconstruction of pi(s) when its advantage is at least the data action's. */
    @Test
    void targetActionIsTheHigherAdvantageOfReconstructionAndDatasetAction() {
        try (NDManager m = Torch.newManager()) {
            A2pr algo = A2prGradientTest.small(m, 32);
            Batch b = Batches.random(m, B, S, A, new Rng(12));
            NDArray v = algo.value.v(b.observations());
            NDArray qData = algo.critic.q1().q(b.observations(), b.actions());
            NDArray noise = algo.sampleLatentNoise(b);
            A2pr.ActorTerms terms = algo.actorTerms(b, v, qData, noise, null);

            NDArray reconstruction = algo.vae.forward(b.observations(), algo.actor.act(b.observations()), noise).reconstruction();
            double[] qRec = algo.critic.q1().q(b.observations(), reconstruction).toDoubleArray();
            double[] qA = qData.toDoubleArray(), vv = v.toDoubleArray(), rec = reconstruction.toDoubleArray();
            double[] act = b.actions().toDoubleArray(), target = terms.target().toDoubleArray();
            double[] chosen = terms.usesReconstruction().toDoubleArray();
            int reconstructions = 0;
            for (int i = 0; i < B; i++) {
                boolean useReconstruction = qRec[i] - vv[i] >= qA[i] - vv[i];
                reconstructions += useReconstruction ? 1 : 0;
                assertEquals(useReconstruction ? 1.0 : 0.0, chosen[i], "row " + i);
                for (int j = 0; j < A; j++) {
                    assertEquals(useReconstruction ? rec[i * A + j] : act[i * A + j], target[i * A + j], 0.0, "row " + i + " dim " + j);
                }
            }
            assertTrue(reconstructions > 0 && reconstructions < B, "both kinds of target should occur, VAE " + reconstructions);
        }
    }

    /**
     * The weight is {@code mask} where either indicator holds and 0 where neither does: a row with both indicators
     * weighs {@code mask}, not {@code 2 mask} (the authors' code adds two boolean tensors, which PyTorch evaluates as an
     * or). {@code Q1(s,a~) == V} counts (>=), {@code Q1(s,a) == V} does not (>).
     */
    @Test
    void maskIsAnOrOfTheTwoPositiveAdvantageIndicators() {
        try (NDManager m = Torch.newManager()) {
            double mask = 0.4;
            NDArray qRecon = Batches.vector(m, 1.0, 1.0, -1.0, -1.0, 0.0, -1.0);
            NDArray qData = Batches.vector(m, 1.0, -1.0, 1.0, -1.0, -1.0, 0.0);
            NDArray v = Batches.vector(m, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            assertArrayEquals(new double[] {mask, mask, mask, 0, mask, 0},
                    A2pr.regularisationWeight(qRecon, qData, v, mask).toDoubleArray(), 0.0);

            NDArray pi = m.create(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6},
                    new ai.djl.ndarray.types.Shape(6, 2));
            NDArray target = m.zeros(pi.getShape(), pi.getDataType());
            double[] w = {mask, mask, mask, 0, mask, 0}, p = pi.toDoubleArray();
            double expected = 0;
            for (int i = 0; i < 6; i++) {
                expected += w[i] * (p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1]);
            }
            expected /= 12;
            assertEquals(expected, A2pr.regulariser(pi, target, A2pr.regularisationWeight(qRecon, qData, v, mask))
                    .toDoubleArray()[0], 1e-15);
        }
    }

    /** Every step updates critics, V and the VAE; the actor (and the target networks) only every second step. */
    @Test
    void actorUpdatesAreDelayed() {
        try (NDManager m = Torch.newManager()) {
            A2pr algo = A2prGradientTest.small(m, 33);
            Batch b = Batches.random(m, B, S, A, new Rng(13));
            double[] actor0 = snapshot(algo.actor.parameters()), vae0 = snapshot(algo.vae.parameters());
            double[] value0 = snapshot(algo.value.parameters()), q0 = snapshot(algo.critic.q1().parameters());
            double[] target0 = snapshot(algo.critic.q1Target().parameters());
            Map<String, Double> odd = algo.update(b, 1, true);
            assertArrayEquals(actor0, snapshot(algo.actor.parameters()), 0.0, "no actor update at step 1");
            assertArrayEquals(target0, snapshot(algo.critic.q1Target().parameters()), 0.0, "no Polyak update at step 1");
            assertFalse(java.util.Arrays.equals(vae0, snapshot(algo.vae.parameters())), "the VAE updates every step");
            assertFalse(java.util.Arrays.equals(value0, snapshot(algo.value.parameters())), "V updates every step");
            assertFalse(java.util.Arrays.equals(q0, snapshot(algo.critic.q1().parameters())), "the critics update every step");
            assertFalse(odd.containsKey("actor_loss"));
            Map<String, Double> even = algo.update(b, 2, true);
            assertFalse(java.util.Arrays.equals(actor0, snapshot(algo.actor.parameters())), "actor update at step 2");
            assertFalse(java.util.Arrays.equals(target0, snapshot(algo.critic.q1Target().parameters())), "Polyak update at step 2");
            assertTrue(even.containsKey("actor_loss") && even.containsKey("vae_target_fraction"), even.toString());
            even.values().forEach(x -> assertTrue(Double.isFinite(x), even.toString()));
        }
    }

    private static double[] snapshot(Map<String, NDArray> parameters) {
        return parameters.values().stream().flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray())).toArray();
    }
}
