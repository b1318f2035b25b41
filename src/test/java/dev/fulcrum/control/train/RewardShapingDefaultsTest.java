package dev.fulcrum.control.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fulcrum.control.data.Preprocessor.RewardShaping;
import dev.fulcrum.control.env.EnvRegistry;
import org.junit.jupiter.api.Test;

/** {@code rewardShaping=auto} follows CORL per algorithm; an explicit setting always wins. */
class RewardShapingDefaultsTest {
    @Test
    void autoFollowsCorlPerAlgorithm() {
        var dense = EnvRegistry.make("pendulum");
        var sparse = EnvRegistry.make("point-goal");
        for (String algo : new String[] {"iql", "td3bc", "bc", "a2pr"}) {
            assertEquals(RewardShaping.RETURN_RANGE, OfflineTrainer.shaping("auto", dense, algo), algo);
        }
        assertEquals(RewardShaping.NONE, OfflineTrainer.shaping("auto", dense, "awac"), "CORL's AWAC: normalize_reward = False");
        assertEquals(RewardShaping.MINUS_ONE, OfflineTrainer.shaping("auto", sparse, "awac"));
        assertEquals(RewardShaping.MINUS_ONE, OfflineTrainer.shaping("auto", sparse, "iql"));
        assertEquals(RewardShaping.RETURN_RANGE, OfflineTrainer.shaping("return-range", dense, "awac"), "explicit setting wins");
        assertEquals(RewardShaping.NONE, OfflineTrainer.shaping("none", dense, "iql"));
    }
}
