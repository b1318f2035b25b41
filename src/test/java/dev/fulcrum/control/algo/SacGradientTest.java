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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (float64) of each SAC loss with respect to the parameters it trains; the reparameterisation
 * noise is held fixed so that the loss is a deterministic function of the parameters.
 */
class SacGradientTest {
    private static final double TOL = 1e-6;

    private static Sac small(NDManager m) {
        return new Sac(m, 3, 2, new Sac.Config(0.99, 0.005, 3e-4, 3e-4, 3e-4, 0.5, 8, 2), DataType.FLOAT64, new Rng(21));
    }

    private static NDArray noise(NDManager m, long seed) {
        return Noise.standardNormal(new Rng(seed), m.create(new double[] {0}), 16, 2);
    }

    @Test
    void criticLoss() {
        try (NDManager m = Torch.newManager()) {
            Sac sac = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(3));
            NDArray y = sac.criticTarget(b, noise(m, 4));
            GradCheck.Result r = GradCheck.check(Module.prefixed("q1", sac.critic.q1(), "q2", sac.critic.q2()), () -> sac.criticLoss(b, y), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void actorLossThroughTheSquashedSample() {
        try (NDManager m = Torch.newManager()) {
            Sac sac = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(5));
            NDArray eps = noise(m, 6);
            GradCheck.Result r = GradCheck.check(sac.actor.parameters(), () -> sac.actorLoss(b, eps).loss(), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void temperatureLoss() {
        try (NDManager m = Torch.newManager()) {
            Sac sac = small(m);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(7));
            NDArray logProb = sac.actorLoss(b, noise(m, 8)).logProb().stopGradient();
            GradCheck.Result r = GradCheck.check(Map.of("log_alpha", sac.logAlpha), () -> sac.temperatureLoss(logProb), 1e-6, 10);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }
}
