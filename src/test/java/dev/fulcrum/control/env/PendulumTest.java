package dev.fulcrum.control.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

/** Pendulum-v1 dynamics, reward, clipping and time limit. */
class PendulumTest {
    /**
     * Gymnasium Pendulum-v1 by hand (values worked out in float64 outside Java): theta = 1, thdot = 0.5, u = 1.5 gives
     * thdot' = 0.5 + (15 sin 1 + 4.5) 0.05 = 1.3561032386059226, theta' = 1 + thdot' 0.05 = 1.0678051619302962 and
     * reward -(1 + 0.1 * 0.25 + 0.001 * 2.25) = -1.02725.
     */
    @Test
    void oneStepMatchesHandComputation() {
        Pendulum p = new Pendulum();
        float[] start = p.setState(1.0, 0.5);
        assertArrayEquals(new float[] {(float) Math.cos(1.0), (float) Math.sin(1.0), 0.5f}, start);
        Env.Step s = p.step(new float[] {1.5f});
        assertEquals(-1.02725, s.reward(), 1e-12);
        assertArrayEquals(new float[] {0.48204838409011624f, 0.8761445973103457f, 1.3561032386059226f}, s.observation(), 1e-7f);
        assertFalse(s.terminated() || s.truncated());
    }

    /**
     * The cost uses the pre-step angle normalised to [-pi, pi): theta = 4, thdot = -3, u = -1 costs
     * (4 - 2 pi)^2 + 0.9 + 0.001 = 6.113935146920742; thdot' = -3.7176018714809462, theta' = 3.8141199064259528.
     */
    @Test
    void costUsesTheNormalisedPreStepAngle() {
        Pendulum p = new Pendulum();
        p.setState(4.0, -3.0);
        Env.Step s = p.step(new float[] {-1f});
        assertEquals(-6.113935146920742, s.reward(), 1e-12);
        double theta = 3.8141199064259528;
        assertArrayEquals(new float[] {(float) Math.cos(theta), (float) Math.sin(theta), -3.7176018714809462f}, s.observation(),
                1e-7f);
    }

    @Test
    void resetDrawsFromTheDocumentedRanges() {
        Pendulum p = new Pendulum();
        Rng rng = new Rng(9);
        for (int i = 0; i < 200; i++) {
            float[] o = p.reset(rng);
            assertEquals(1.0, o[0] * o[0] + o[1] * o[1], 1e-6);
            assertTrue(Math.abs(o[2]) <= 1f, "thdot " + o[2]);
        }
    }

    @Test
    void torqueIsClippedAndSpeedCapped() {
        Pendulum p = new Pendulum();
        p.setState(0.0, 7.9);
        Env.Step s = p.step(new float[] {100f});
        assertEquals(8.0f, s.observation()[2], 0f);
        assertEquals(-(0 + 0.1 * 7.9 * 7.9 + 0.001 * 4), s.reward(), 1e-9, "the cost uses the clipped torque");
    }

    @Test
    void truncatesAtTwoHundredStepsNeverTerminates() {
        Pendulum p = new Pendulum();
        p.reset(new Rng(0));
        for (int i = 1; i <= 200; i++) {
            Env.Step s = p.step(new float[] {0f});
            assertFalse(s.terminated());
            assertEquals(i == 200, s.truncated(), "step " + i);
        }
        assertThrows(IllegalStateException.class, () -> p.step(new float[] {0f}));
    }

    @Test
    void angleNormalisation() {
        assertEquals(0.0, Pendulum.angleNormalize(2 * Math.PI), 1e-12);
        assertEquals(-Math.PI + 0.1, Pendulum.angleNormalize(Math.PI + 0.1), 1e-12);
        assertTrue(Math.abs(Pendulum.angleNormalize(-7.0) - (-7.0 + 2 * Math.PI)) < 1e-12);
    }
}
