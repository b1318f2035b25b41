package dev.fulcrum.lm.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.rng.Rng;
import java.util.List;

/** Test set-ups of reward models shared by the reward and training tests. */
public final class RewardModelFixtures {
    private RewardModelFixtures() {
    }

    /**
     * Sets a likelihood head's gates (they start at zero) to N(0, 0.5^2) draws of {@code rng}, so that the gates matter.
     */
    public static void randomiseGate(NDManager m, RewardModel rm, Rng rng) {
        for (String name : List.of(RewardModel.GATE_WEIGHT, RewardModel.GATE_BIAS, RewardModel.REFERENCE_GATE_WEIGHT,
                RewardModel.REFERENCE_GATE_BIAS)) {
            NDArray p = rm.parameters().get(name);
            if (p == null) {
                continue; // a head with one gate
            }
            double[] v = new double[Math.toIntExact(p.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = 0.5 * rng.gaussian();
            }
            try (NDArray values = m.create(v)) {
                p.set(values.toByteBuffer());
            }
        }
    }
}
