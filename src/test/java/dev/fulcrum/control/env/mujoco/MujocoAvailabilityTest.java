package dev.fulcrum.control.env.mujoco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.env.EnvRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a machine without MuJoCo sees (runs everywhere, MuJoCo or not). */
class MujocoAvailabilityTest {
    @TempDir
    Path dir;

    @Test
    void missingHeadersGiveTheInstallCommand() {
        MujocoLibrary.Probe probe = MujocoLibrary.probe(List.of(dir.resolve("no-include")), dir.resolve("cache"));
        assertFalse(probe.ok());
        assertTrue(probe.failure().startsWith("MuJoCo is not installed: apt-get install libmujoco-dev"), probe.failure());
    }

    @Test
    void registryListsTheMujocoTasksAndMakesThemOrSaysHowToInstall() {
        assertTrue(EnvRegistry.ids().containsAll(List.of(HalfCheetah.ID, Hopper.ID, Walker2d.ID)), EnvRegistry.ids().toString());
        for (String id : List.of(HalfCheetah.ID, Hopper.ID, Walker2d.ID)) {
            if (MujocoLibrary.isAvailable()) {
                try (MujocoEnv env = (MujocoEnv) EnvRegistry.make(id)) {
                    assertEquals(id, env.spec().id());
                }
            } else {
                String msg = assertThrows(MujocoUnavailableException.class, () -> EnvRegistry.make(id)).getMessage();
                assertTrue(msg.contains("apt-get install libmujoco-dev"), msg);
            }
        }
    }
}
