package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.core.nn.GradCheck;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (float64) of FamO2O's three losses with respect to what each trains: the universal actor's
 * AWR loss (per-sample coefficients), the balance model's loss (through the frozen actor and the target critics) and the
 * balance temperature's loss. Noises and coefficients are held fixed so that each loss is a deterministic function.
 */
class FamO2OGradientTest {
    private static final double TOL = 1e-6;

    static FamO2O small(NDManager m, DataType dtype) {
        Iql.Config iql = new Iql.Config(3, 0.7, 0.99, 0.005, 3e-4, 3e-4, 3e-4, 8, 2, false, 100);
        return new FamO2O(m, 3, 2, iql, new FamO2O.Config(1, 5, 6, 10000, 3e-4, 3e-4, 0.7, -0.5, 1), 100, 50, dtype,
                new Rng(31));
    }

    private static NDArray noise(NDManager m, long seed, int columns) {
        return Noise.standardNormal(new Rng(seed), m.create(new double[] {0}), 16, columns);
    }

    @Test
    void universalActorLoss() {
        try (NDManager m = Torch.newManager()) {
            FamO2O f = small(m, DataType.FLOAT64);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(3));
            NDArray advantage = noise(m, 4, 1).squeeze(1).mul(0.5);
            NDArray beta = noise(m, 5, 1).squeeze(1).abs().add(1);
            GradCheck.Result r = GradCheck.check(f.actor.parameters(), () -> f.actorLoss(b, advantage, beta), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void balanceLossThroughTheCoefficient() {
        try (NDManager m = Torch.newManager()) {
            FamO2O f = small(m, DataType.FLOAT64);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(6));
            NDArray epsB = noise(m, 7, 1), epsA = noise(m, 8, 2);
            GradCheck.Result r = GradCheck.check(f.balance.parameters(),
                    () -> f.balanceLoss(b.observations(), epsB, epsA).loss(), 1e-6, 200);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }

    @Test
    void temperatureLoss() {
        try (NDManager m = Torch.newManager()) {
            FamO2O f = small(m, DataType.FLOAT64);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(9));
            NDArray logProb = f.balanceLoss(b.observations(), noise(m, 10, 1), noise(m, 11, 2)).logProb().stopGradient();
            GradCheck.Result r = GradCheck.check(Map.of("log_temperature", f.logTemperature), () -> f.temperatureLoss(logProb),
                    1e-6, 10);
            assertTrue(r.maxRelativeError() < TOL, r.toString());
        }
    }
}
