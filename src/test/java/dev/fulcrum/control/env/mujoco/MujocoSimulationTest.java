package dev.fulcrum.control.env.mujoco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binding itself: loading, MuJoCo's errors and warnings as Java exceptions and log lines, native memory. */
class MujocoSimulationTest {
    /** A ball 1 m above a floor. */
    static final String BALL = "<mujoco><worldbody><geom type='plane' size='1 1 1'/>"
            + "<body name='ball' pos='0 0 1'><freejoint/><geom type='sphere' size='0.1'/></body></worldbody></mujoco>";

    @TempDir
    Path dir;

    @BeforeEach
    void needsMujoco() {
        MujocoTests.assumeMujoco();
    }

    @Test
    void loadsStepsAndReadsState() {
        try (MujocoSimulation ball = MujocoSimulation.fromXml("ball", BALL)) {
            assertEquals(7, ball.nq());
            assertEquals(6, ball.nv());
            assertEquals(0, ball.nu());
            assertEquals(0.002, ball.timestep(), 0.0); // MuJoCo's default
            assertEquals(1.0, ball.qpos0(2), 0.0);
            int body = ball.bodyId("ball");
            ball.forward();
            assertEquals(1.0, ball.bodyPosition(body, 2), 1e-12);
            assertEquals(0, ball.step(100));
            assertEquals(0.2, ball.time(), 1e-12);
            // Free fall under MuJoCo's semi-implicit Euler: z = 1 - g dt^2 n(n+1)/2 after n steps.
            assertEquals(1 - 9.81 * 0.002 * 0.002 * 100 * 101 / 2, ball.qpos(2), 1e-9);
            assertEquals(-9.81 * 0.2, ball.qvel(2), 1e-9);
            ball.reset();
            assertEquals(1.0, ball.qpos(2), 0.0);
            assertEquals(0.0, ball.time(), 0.0);
            String msg = assertThrows(IllegalArgumentException.class, () -> ball.bodyId("nope")).getMessage();
            assertTrue(msg.contains("nope"), msg);
        }
    }

    @Test
    void contactForcesOfABallAtRestBalanceItsWeight() {
        try (MujocoSimulation ball = MujocoSimulation.fromXml("ball", BALL)) {
            ball.setQpos(2, 0.1); // resting on the floor
            ball.forward();
            ball.step(500);
            ball.computeContactForces();
            int body = ball.bodyId("ball");
            double mass = 1000 * 4.0 / 3.0 * Math.PI * Math.pow(0.1, 3); // MuJoCo's default density, radius 0.1
            assertEquals(mass * 9.81, ball.externalForce(body, 5), 0.01 * mass * 9.81, "upward contact force = weight");
            assertEquals(0.0, ball.externalForce(body, 3), 1e-6);
            assertEquals(0.1, ball.bodyPosition(body, 2), 0.005, "rests on the floor");
        }
    }

    @Test
    void loadsFromAFile() throws Exception {
        Path file = dir.resolve("ball.xml");
        Files.writeString(file, BALL);
        try (MujocoSimulation ball = MujocoSimulation.fromFile(file)) {
            assertEquals(7, ball.nq());
        }
        String msg = assertThrows(IllegalArgumentException.class, () -> MujocoSimulation.fromFile(dir.resolve("missing.xml"))).getMessage();
        assertTrue(msg.contains("missing.xml"), msg);
    }

    @Test
    void badModelsGiveMujocosMessageAndTheJvmCarriesOn() {
        record Bad(String xml, String mujocoSays) {
        }
        for (Bad bad : List.of(
                new Bad("<mujoco><worldbody>", "XML_ERROR_MISMATCHED_ELEMENT"),
                new Bad("<mujoco><bogus/></mujoco>", "unrecognized element"),
                new Bad("<mujoco><worldbody><geom type='sphere' size='-1'/></worldbody></mujoco>", "sizes must be positive"),
                new Bad("not xml at all", "XML_ERROR_PARSING_TEXT"))) {
            String msg = assertThrows(MujocoException.class, () -> MujocoSimulation.fromXml("bad", bad.xml())).getMessage();
            assertTrue(msg.startsWith("MuJoCo could not load bad: ") && msg.contains(bad.mujocoSays()), msg);
            assertFalse(msg.contains("\n"), "one line: " + msg);
        }
        try (MujocoSimulation ball = MujocoSimulation.fromXml("ball", BALL)) { // still working
            assertEquals(0, ball.step(10));
        }
    }

    @Test
    void aFatalMujocoErrorMidStepBecomesAnExceptionAndResetRecovers() {
        // Eight boxes start in the air; with a tiny solver stack, pressing them into the floor overflows it in mj_step,
        // where MuJoCo calls mju_error (by default: wait for a key, then exit the process).
        StringBuilder xml = new StringBuilder("<mujoco><size nstack='2000'/><worldbody><geom type='plane' size='5 5 1'/>");
        for (int b = 0; b < 8; b++) {
            xml.append("<body pos='").append(b).append(" 0 1'><freejoint/><geom type='box' size='0.1 0.1 0.1'/></body>");
        }
        xml.append("</worldbody></mujoco>");
        try (MujocoSimulation boxes = MujocoSimulation.fromXml("boxes", xml.toString())) {
            assertEquals(0, boxes.step(1));
            for (int round = 0; round < 3; round++) {
                for (int b = 0; b < 8; b++) {
                    boxes.setQpos(7 * b + 2, 0.05);
                }
                String msg = assertThrows(MujocoException.class, () -> boxes.step(1)).getMessage();
                assertTrue(msg.contains("Stack overflow") && msg.contains("boxes"), msg);
                boxes.reset(); // back in the air: steps work again
                assertEquals(0, boxes.step(5));
            }
        }
    }

    @Test
    void unstableStatesRaiseWarningsNotCrashes() {
        try (MujocoSimulation ball = MujocoSimulation.fromXml("ball", BALL)) {
            ball.setQpos(0, Double.NaN);
            int mask = ball.step(1);
            assertEquals(1 << 4, mask, "mjWARN_BADQPOS");
            assertEquals(List.of("bad number in qpos (MuJoCo reset the state)"), MujocoSimulation.warningNames(mask));
            assertTrue(Double.isFinite(ball.qpos(0)), "MuJoCo reset the state");
            ball.setQvel(2, 1e30);
            assertEquals(1 << 5, ball.step(1), "mjWARN_BADQVEL, reported again (not only the first time)");
            ball.setQvel(2, 1e30);
            assertEquals(1 << 5, ball.step(1));
            assertEquals(3, ball.warningCount());
            assertEquals(0, ball.step(1));
        }
    }

    @Test
    void closedSimulationsRefuseUseAndCloseTwiceIsHarmless() {
        MujocoSimulation ball = MujocoSimulation.fromXml("ball", BALL);
        ball.close();
        ball.close();
        assertTrue(ball.isClosed());
        assertThrows(IllegalStateException.class, () -> ball.step(1));
        assertThrows(IllegalStateException.class, () -> ball.qpos(0));
        assertThrows(IllegalStateException.class, () -> ball.setControl(0, 1));
    }

    @Test
    void versionIsChecked() {
        assertEquals(MujocoLibrary.SUPPORTED_MAJOR_MINOR, MujocoLibrary.version() / 10);
        assertEquals("2.2.2", MujocoLibrary.versionString(222));
    }
}
