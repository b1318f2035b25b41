package dev.fulcrum.control.env.mujoco;

import org.junit.jupiter.api.Assumptions;

/** Shared set-up of the MuJoCo tests. */
final class MujocoTests {
    private MujocoTests() {
    }

    /**
     * Skips the calling test, with MuJoCo's install hint as the reason, where MuJoCo is missing; fails instead when
     * {@code FULCRUM_REQUIRE_MUJOCO} is set (CI sets it after installing libmujoco-dev, so the tests cannot be skipped
     * silently there).
     */
    static void assumeMujoco() {
        if (System.getenv("FULCRUM_REQUIRE_MUJOCO") != null) {
            MujocoLibrary.require();
        }
        Assumptions.assumeTrue(MujocoLibrary.isAvailable(), () -> "skipped: " + MujocoLibrary.unavailableReason());
    }
}
