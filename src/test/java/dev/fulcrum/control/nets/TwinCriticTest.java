package dev.fulcrum.control.nets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared twin critic: initial targets, draws from the init stream, min, target min, Polyak update, names. */
class TwinCriticTest {
    private static final int[] HIDDEN = {8, 8};

    private static double[] values(Map<String, NDArray> params) {
        return params.values().stream().flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray())).toArray();
    }

    @Test
    void criticsDrawFromInitLikeTwoQNetworksAndTargetsStartAsCopies() {
        try (NDManager m = Torch.newManager()) {
            Rng init = new Rng(5);
            TwinCritic critic = new TwinCritic(m, 3, 2, HIDDEN, DataType.FLOAT64, init);
            long afterCritic = init.nextLong();

            Rng reference = new Rng(5);
            QNetwork q1 = new QNetwork(m, 3, 2, HIDDEN, DataType.FLOAT64, reference);
            QNetwork q2 = new QNetwork(m, 3, 2, HIDDEN, DataType.FLOAT64, reference);
            assertEquals(reference.nextLong(), afterCritic, "the init stream sees exactly two Q networks' draws");
            assertArrayEquals(values(q1.parameters()), values(critic.q1().parameters()), 0.0);
            assertArrayEquals(values(q2.parameters()), values(critic.q2().parameters()), 0.0);
            assertArrayEquals(values(critic.q1().parameters()), values(critic.q1Target().parameters()), 0.0);
            assertArrayEquals(values(critic.q2().parameters()), values(critic.q2Target().parameters()), 0.0);
            assertFalse(critic.q1Target().parameters().values().iterator().next().hasGradient());
            assertEquals(List.of("q1", "q2", "q1_target", "q2_target"),
                    critic.checkpointTensors().keySet().stream().map(k -> k.substring(0, k.indexOf('.'))).distinct().toList());
            assertTrue(critic.parameters().keySet().stream().allMatch(k -> k.startsWith("q1.") || k.startsWith("q2.")));
        }
    }

    @Test
    void minTargetMinAndSoftUpdate() {
        try (NDManager m = Torch.newManager()) {
            TwinCritic critic = new TwinCritic(m, 3, 2, HIDDEN, DataType.FLOAT64, new Rng(7));
            Rng data = new Rng(8);
            NDArray s = m.create(data.gaussians(18, 1.0), new Shape(6, 3)).toType(DataType.FLOAT64, false);
            NDArray a = m.create(data.gaussians(12, 1.0), new Shape(6, 2)).toType(DataType.FLOAT64, false);
            double[] q1 = critic.q1().q(s, a).toDoubleArray(), q2 = critic.q2().q(s, a).toDoubleArray();
            double[] min = critic.min(s, a).toDoubleArray();
            for (int i = 0; i < q1.length; i++) {
                assertEquals(Math.min(q1[i], q2[i]), min[i], 0.0);
            }
            assertArrayEquals(min, critic.targetMin(s, a).toDoubleArray(), 0.0, "targets equal the critics at the start");

            // move the critics, then a Polyak step with tau = 0.25: target <- 0.75 target + 0.25 critic
            double[] target0 = values(critic.q1Target().parameters());
            critic.parameters().values().forEach(p -> p.addi(1.0));
            double[] moved = values(critic.q1().parameters());
            critic.softUpdate(0.25);
            double[] target1 = values(critic.q1Target().parameters());
            for (int i = 0; i < target0.length; i++) {
                assertEquals(0.75 * target0[i] + 0.25 * moved[i], target1[i], 1e-12);
            }
        }
    }
}
