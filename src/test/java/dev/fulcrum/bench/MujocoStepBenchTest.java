package dev.fulcrum.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.env.mujoco.MujocoLibrary;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The Java side of the MuJoCo throughput comparison, in miniature. */
class MujocoStepBenchTest {
    @Test
    void bindingLoopIsDeterministicAndEnvLoopRuns() {
        if (System.getenv("FULCRUM_REQUIRE_MUJOCO") != null) {
            MujocoLibrary.require();
        }
        Assumptions.assumeTrue(MujocoLibrary.isAvailable(), () -> "skipped: " + MujocoLibrary.unavailableReason());
        var a = MujocoStepBench.run(MujocoStepBench.Mode.BINDING, "halfcheetah", 200, 10, 3);
        var b = MujocoStepBench.run(MujocoStepBench.Mode.BINDING, "halfcheetah", 200, 10, 3);
        assertEquals(a.finalX(), b.finalX(), 0.0, "same seed, same controls, same trajectory (what the C loop checks against)");
        assertTrue(a.envStepsPerSecond() > 0 && a.envStepsPerCpuSecond() > 0, a.toString());
        assertTrue(a.toString().contains("env steps/s cpu") && a.toString().contains("(x="), a.toString());
        var e = MujocoStepBench.run(MujocoStepBench.Mode.ENV, "hopper", 200, 10, 3); // falls and resets along the way
        assertEquals(200, e.envSteps());
        assertThrows(IllegalArgumentException.class, () -> MujocoStepBench.run(MujocoStepBench.Mode.BINDING, "pendulum", 10, 0, 0));
    }

    @Test
    void splitMix64MatchesTheCGenerator() {
        // The first two outputs of splitmix64 from seed 0, computed with the C loop's code, as doubles in [0, 1).
        var g = new MujocoStepBench.SplitMix64(0);
        assertEquals((0xE220A8397B1DCDAFL >>> 11) * 0x1.0p-53, g.nextDouble(), 0.0);
        assertEquals((0x6E789E6AA1B965F4L >>> 11) * 0x1.0p-53, g.nextDouble(), 0.0);
    }
}
