package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.bench.IqlStepBench;
import dev.fulcrum.control.data.Preprocessor;
import dev.fulcrum.control.data.TransitionTable;
import dev.fulcrum.core.nn.SideLane;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Many training steps must not grow the number of live tensors: every step's temporaries die with its scope, on both
 * lanes. Counts every array owned by the model's manager tree and the engine's system manager.
 */
class MemoryDisciplineTest {

    private static int live(NDManager m) {
        // the root manager's parent is the engine's system manager; count both trees
        return m.getManagedArrays().size() + m.getParentManager().getManagedArrays().size();
    }

    private static void assertFlat(Function<NDManager, OfflineAlgorithm> make) {
        Rng rng = new Rng(0);
        TransitionTable table = new TransitionTable(IqlStepBench.randomDataset(2000, 5, 2, rng),
                new Preprocessor(new float[5], new float[] {1, 1, 1, 1, 1}, 1f, 1, 0));
        try (NDManager m = Torch.newManager()) {
            OfflineAlgorithm algo = make.apply(m);
            Rng batches = new Rng(1);
            for (int i = 1; i <= 20; i++) {
                try (NDScope ignored = new NDScope()) {
                    algo.update(table.sample(batches, 32, m, DataType.FLOAT32), i, i % 2 == 0);
                }
            }
            int before = live(m);
            for (int i = 21; i <= 320; i++) {
                try (NDScope ignored = new NDScope()) {
                    algo.update(table.sample(batches, 32, m, DataType.FLOAT32), i, i % 2 == 0);
                }
            }
            assertEquals(before, live(m), algo.name() + ": live tensors after 300 more steps");
            m.create(1f); // negative control: a tensor made outside any scope must show up in the count
            org.junit.jupiter.api.Assertions.assertTrue(live(m) > before, "the live-tensor probe must see a leak");
        }
    }

    @Test
    void iqlSequential() {
        assertFlat(m -> new Iql(m, 5, 2, new Iql.Config(3, 0.7, 0.99, 0.005, 3e-4, 3e-4, 3e-4, 16, 2, true, 100), 320,
                DataType.FLOAT32, new Rng(2)));
    }

    @Test
    void iqlWithSideLane() {
        try (SideLane lane = new SideLane()) {
            assertFlat(m -> {
                Iql iql = new Iql(m, 5, 2, new Iql.Config(3, 0.7, 0.99, 0.005, 3e-4, 3e-4, 3e-4, 16, 2, true, 100), 320,
                        DataType.FLOAT32, new Rng(2));
                iql.useSideLane(lane);
                return iql;
            });
        }
    }

    @Test
    void td3bc() {
        assertFlat(m -> new Td3Bc(m, 5, 2, new Td3Bc.Config(2.5, 0.99, 0.005, 0.2, 0.5, 2, 3e-4, 3e-4, 16, 2), DataType.FLOAT32,
                new Rng(3)));
    }

    @Test
    void bc() {
        assertFlat(m -> new Bc(m, 5, 2, new Bc.Config(3e-4, 16, 2), DataType.FLOAT32, new Rng(4)));
    }

    @Test
    void a2pr() {
        assertFlat(m -> new A2pr(m, 5, 2, new A2pr.Config(2.5, 1.0, 1.0, 0.99, 0.005, 0.2, 0.5, 2, 3e-4, 3e-4, 3e-4, 1e-3, 16, 3,
                4, 32), DataType.FLOAT32, new Rng(5)));
    }
}
