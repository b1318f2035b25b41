package dev.fulcrum.control.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import org.junit.jupiter.api.Test;

class PendulumTest {
    /** Gymnasium Pendulum-v1 by hand: theta=1, thdot=0.5, u=1.5. */
    @Test
    void oneStepMatchesHandComputation() {
        Pendulum p = new Pendulum();
        p.setState(1.0, 0.5);
        Env.Step s = p.step(new float[] {1.5f});
        double newThdot = 0.5 + (15 * Math.sin(1.0) + 3 * 1.5) * 0.05;
        double newTh = 1.0 + newThdot * 0.05;
        assertEquals(-(1.0 + 0.1 * 0.25 + 0.001 * 2.25), s.reward(), 1e-12);
        assertEquals((float) Math.cos(newTh), s.observation()[0], 1e-7);
        assertEquals((float) Math.sin(newTh), s.observation()[1], 1e-7);
        assertEquals((float) newThdot, s.observation()[2], 1e-7);
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
