package dev.fulcrum.core.rng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RngTest {
    @Test
    void stateRestoreReplaysExactly() {
        Rng a = new Rng(42);
        for (int i = 0; i < 17; i++) {
            a.gaussian();
        }
        Rng.State s = a.state();
        double[] first = {a.gaussian(), a.nextDouble(), a.nextInt(1000)};
        Rng b = new Rng(42);
        b.restore(s);
        double[] second = {b.gaussian(), b.nextDouble(), b.nextInt(1000)};
        assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(second));
    }

    @Test
    void splitStreamsAreIndependentAndStable() {
        Rng r = new Rng(7);
        assertEquals(new Rng(7).split("init").nextLong(), r.split("init").nextLong());
        assertNotEquals(r.split("init").nextLong(), r.split("batches").nextLong());
    }

    @Test
    void moments() {
        Rng r = new Rng(1);
        int n = 200_000;
        double s = 0, s2 = 0, u = 0;
        int[] counts = new int[5];
        for (int i = 0; i < n; i++) {
            double g = r.gaussian();
            s += g;
            s2 += g * g;
            u += r.nextDouble();
            counts[r.nextInt(5)]++;
        }
        assertEquals(0, s / n, 0.01);
        assertEquals(1, s2 / n, 0.01);
        assertEquals(0.5, u / n, 0.005);
        for (int c : counts) {
            assertTrue(Math.abs(c - n / 5) < 1000, "nextInt is uniform: " + c);
        }
    }
}
