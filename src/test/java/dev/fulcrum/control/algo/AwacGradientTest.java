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

/** Finite-difference checks (float64) of each AWAC loss with respect to the parameters it trains. */
class AwacGradientTest {
    private static final double TOL = 1e-6;

    private static Awac small(NDManager m) {
        return new Awac(m, 3, 2, new Awac.Config(1.0, 100.0, 0.99, 0.005, 3e-4, 3e-4, 8, 3), DataType.FLOAT64, new Rng(31));
    }

    @Test
    void criticLoss() {
        try (NDManager m = Torch.newManager()) {
            Awac awac = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(3));
            NDArray nextActions = awac.actor.sample(b.nextObservations(),
                    Noise.standardNormal(new Rng(4), b.nextObservations(), 16, 2));
            NDArray y = awac.criticTarget(b, nextActions);
            GradCheck.Result r = GradCheck.check(Module.prefixed("q1", awac.critic.q1(), "q2", awac.critic.q2()), () -> awac.criticLoss(b, y),
                    1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void actorLoss() {
        try (NDManager m = Torch.newManager()) {
            Awac awac = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(5));
            NDArray policyActions = awac.actor.sample(b.observations(), Noise.standardNormal(new Rng(6), b.observations(), 16, 2));
            NDArray weights = Awac.advantageWeights(awac.minQ(b.observations(), b.actions()),
                    awac.minQ(b.observations(), policyActions), 0.1, 100.0); // a small lambda spreads the weights
            GradCheck.Result r = GradCheck.check(awac.actor.parameters(), () -> awac.actorLoss(b, weights), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }
}
