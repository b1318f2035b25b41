package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (float64) of every A2PR loss with respect to the parameters it trains: the twin critics, the
 * value network, the VAE (its filtered ELBO) and the actor (through the critic and through the VAE reconstruction).
 */
class A2prGradientTest {
    private static final double TOL = 1e-6;

    static A2pr small(NDManager m, long seed) {
        return new A2pr(m, 3, 2, new A2pr.Config(2.5, 1.0, 1.0, 0.99, 0.005, 0.2, 0.5, 2, 3e-4, 3e-4, 3e-4, 1e-3, 8, 2, 2, 10),
                DataType.FLOAT64, new Rng(seed));
    }

    @Test
    void criticLoss() {
        try (NDManager m = Torch.newManager()) {
            A2pr algo = small(m, 21);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(7));
            NDArray y = algo.tdTarget(b, algo.smoothedNextAction(b, algo.sampleTargetNoise(b)), algo.critic.q1Target(), algo.critic.q2Target());
            GradCheck.Result r = GradCheck.check(Module.prefixed("q1", algo.critic.q1(), "q2", algo.critic.q2()), () -> algo.criticLoss(b, y),
                    1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void valueLoss() {
        try (NDManager m = Torch.newManager()) {
            A2pr algo = small(m, 22);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(8));
            NDArray next = algo.smoothedNextAction(b, algo.sampleTargetNoise(b));
            NDArray target = A2pr.valueTarget(algo.tdTarget(b, next, algo.critic.q1Target(), algo.critic.q2Target()),
                    algo.tdTarget(b, next, algo.critic.q1(), algo.critic.q2()));
            GradCheck.Result r = GradCheck.check(algo.value.parameters(), () -> algo.valueLoss(b, target), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void vaeLoss() {
        try (NDManager m = Torch.newManager()) {
            A2pr algo = small(m, 23);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(9));
            NDArray filter = A2pr.advantageFilter(algo.critic.q1().q(b.observations(), b.actions()), algo.value.v(b.observations()));
            double kept = filter.sum().toDoubleArray()[0];
            assertTrue(kept > 0 && kept < 16, "the filter should keep some rows and drop others, kept " + kept);
            NDArray noise = algo.sampleLatentNoise(b);
            GradCheck.Result r = GradCheck.check(algo.vae.parameters(), () -> algo.vaeLoss(b, filter, noise), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void actorLossThroughCriticAndVae() {
        try (NDManager m = Torch.newManager()) {
            A2pr algo = small(m, 24);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(10));
            NDArray v = algo.value.v(b.observations());
            NDArray qData = algo.critic.q1().q(b.observations(), b.actions());
            NDArray noise = algo.sampleLatentNoise(b);
            // lambda = alpha / mean|Q| is detached in the update, so the finite differences must hold it fixed too
            NDArray lambda = Td3Bc.lambda(algo.critic.q1().q(b.observations(), algo.actor.act(b.observations())), 2.5);
            A2pr.ActorTerms terms = algo.actorTerms(b, v, qData, noise, lambda);
            double chosen = terms.usesReconstruction().sum().toDoubleArray()[0];
            double weighted = terms.weight().sum().toDoubleArray()[0];
            assertTrue(chosen > 0 && chosen < 16, "both targets should occur in the batch, VAE chosen " + chosen);
            assertTrue(weighted > 0, "some rows must be regularised");
            GradCheck.Result r = GradCheck.check(algo.actor.parameters(), () -> algo.actorTerms(b, v, qData, noise, lambda).loss(),
                    1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }
}
