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

/** Finite-difference checks (float64) of the TD3+BC critic and actor losses, and of BC's likelihood loss. */
class Td3BcGradientTest {
    private static final double TOL = 1e-6;

    private static Td3Bc small(NDManager m) {
        return new Td3Bc(m, 3, 2, new Td3Bc.Config(2.5, 0.99, 0.005, 0.2, 0.5, 2, 3e-4, 3e-4, 8, 2), DataType.FLOAT64,
                new Rng(12));
    }

    @Test
    void criticLoss() {
        try (NDManager m = Torch.newManager()) {
            Td3Bc algo = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(7));
            NDArray y = algo.criticTarget(b, algo.sampleTargetNoise(b));
            GradCheck.Result r = GradCheck.check(Module.prefixed("q1", algo.critic.q1(), "q2", algo.critic.q2()), () -> algo.criticLoss(b, y),
                    1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void actorLossThroughCritic() {
        try (NDManager m = Torch.newManager()) {
            Td3Bc algo = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(8));
            // lambda = alpha / mean|Q| is detached in the update, so the finite differences must hold it fixed too
            NDArray lambda = Td3Bc.lambda(algo.critic.q1().q(b.observations(), algo.actor.act(b.observations())), 2.5);
            GradCheck.Result r = GradCheck.check(algo.actor.parameters(), () -> algo.actorLoss(b, lambda), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void bcLoss() {
        try (NDManager m = Torch.newManager()) {
            Bc bc = new Bc(m, 3, 2, new Bc.Config(3e-4, 8, 2), DataType.FLOAT64, new Rng(13));
            Batch b = Batches.random(m, 16, 3, 2, new Rng(9));
            GradCheck.Result r = GradCheck.check(bc.actor.parameters(), () -> bc.loss(b), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }
}
