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

/** Finite-difference checks (float64) of each IQL loss with respect to the parameters it trains. */
class IqlGradientTest {
    private static final double TOL = 1e-6;

    private static Iql small(NDManager m) {
        Iql.Config c = new Iql.Config(3.0, 0.7, 0.99, 0.005, 3e-4, 3e-4, 3e-4, 8, 2, true, 100.0);
        return new Iql(m, 3, 2, c, 100, DataType.FLOAT64, new Rng(11));
    }

    @Test
    void valueLoss() {
        try (NDManager m = Torch.newManager()) {
            Iql iql = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(3));
            NDArray targetQ = iql.targetQ(b);
            GradCheck.Result r = GradCheck.check(iql.value.parameters(), () -> iql.valueLoss(targetQ, iql.value.v(b.observations())), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void qLoss() {
        try (NDManager m = Torch.newManager()) {
            Iql iql = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(4));
            NDArray nextV = iql.value.v(b.nextObservations()).stopGradient();
            GradCheck.Result r = GradCheck.check(Module.prefixed("q1", iql.critic.q1(), "q2", iql.critic.q2()), () -> iql.qLoss(b, nextV), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void actorLoss() {
        try (NDManager m = Torch.newManager()) {
            Iql iql = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(5));
            NDArray adv = Batches.random(m, 16, 1, 1, new Rng(6)).rewards().mul(0.5);
            GradCheck.Result r = GradCheck.check(iql.actor.parameters(), () -> iql.actorLoss(b, adv), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }
}
