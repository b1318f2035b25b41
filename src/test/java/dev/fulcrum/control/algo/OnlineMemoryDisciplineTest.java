package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.bench.IqlStepBench;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.data.ReplayBuffer;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The online algorithms keep the memory discipline of {@link MemoryDisciplineTest}: hundreds of steps, each a gradient
 * step on a replay minibatch plus an exploratory action, leave the number of live tensors unchanged.
 */
class OnlineMemoryDisciplineTest {

    private static int live(NDManager m) {
        return m.getManagedArrays().size() + m.getParentManager().getManagedArrays().size();
    }

    private static void assertFlat(Function<NDManager, OnlineAlgorithm> make) {
        Rng rng = new Rng(0);
        ReplayBuffer buffer = new ReplayBuffer(5, 2, 2000);
        buffer.addAll(IqlStepBench.randomDataset(2000, 5, 2, rng));
        Preprocessor pre = new Preprocessor(new float[5], new float[] {1, 1, 1, 1, 1}, 1f, 1, 0);
        try (NDManager m = Torch.newManager()) {
            OnlineAlgorithm algo = make.apply(m);
            Rng batches = new Rng(1), exploration = new Rng(2);
            Runnable step = () -> {
                try (NDScope ignored = new NDScope()) {
                    var batch = buffer.sample(batches, 32, pre, m, DataType.FLOAT32);
                    algo.update(batch, 1, true);
                    algo.explore(batch.observations(), exploration).toFloatArray();
                }
            };
            for (int i = 0; i < 20; i++) {
                step.run();
            }
            int before = live(m);
            for (int i = 0; i < 300; i++) {
                step.run();
            }
            assertEquals(before, live(m), algo.name() + ": live tensors after 300 more steps");
            m.create(1f); // negative control: a tensor made outside any scope must show up in the count
            assertTrue(live(m) > before, "the live-tensor probe must see a leak");
        }
    }

    @Test
    void sac() {
        assertFlat(m -> new Sac(m, 5, 2, new Sac.Config(0.99, 0.005, 3e-4, 3e-4, 3e-4, 1.0, 16, 2), DataType.FLOAT32, new Rng(3)));
    }

    @Test
    void awac() {
        assertFlat(m -> new Awac(m, 5, 2, new Awac.Config(1.0, 100, 0.99, 0.005, 3e-4, 3e-4, 16, 3), DataType.FLOAT32, new Rng(4)));
    }

    @Test
    void iqlExploring() {
        assertFlat(m -> new Iql(m, 5, 2, new Iql.Config(3, 0.7, 0.99, 0.005, 3e-4, 3e-4, 3e-4, 16, 2, true, 100), 320,
                DataType.FLOAT32, new Rng(5)));
    }

    @Test
    void famo2oOnlinePhase() {
        // offlineSteps 0: every update draws the actor's coefficients from the balance model, after the balance step
        assertFlat(m -> new FamO2O(m, 5, 2, new Iql.Config(3, 0.7, 0.99, 0.005, 3e-4, 3e-4, 3e-4, 16, 2, true, 100),
                FamO2O.Config.defaults(), 320, 0, DataType.FLOAT32, new Rng(6)));
    }
}
