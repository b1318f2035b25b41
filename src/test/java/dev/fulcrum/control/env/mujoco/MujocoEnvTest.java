package dev.fulcrum.control.env.mujoco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.env.Env;
import dev.fulcrum.core.rng.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HalfCheetah, Hopper and Walker2d against the Gymnasium-v4 recipe they follow. */
class MujocoEnvTest {
    record Task(Supplier<MujocoEnv> make, int obs, int act, int nq, int frameSkip, double timestep, double ctrlWeight, double healthy) {
    }

    static final List<Task> TASKS = List.of(
            new Task(HalfCheetah::new, 17, 6, 9, 5, 0.01, 0.1, 0.0),
            new Task(Hopper::new, 11, 3, 6, 4, 0.002, 1e-3, 1.0),
            new Task(Walker2d::new, 17, 6, 9, 4, 0.002, 1e-3, 1.0));

    @BeforeEach
    void needsMujoco() {
        MujocoTests.assumeMujoco();
    }

    @Test
    void dimensionsAndConstants() {
        for (Task t : TASKS) {
            try (MujocoEnv env = t.make().get()) {
                var spec = env.spec();
                assertEquals(t.obs(), spec.observationDim(), spec.id());
                assertEquals(t.act(), spec.actionDim(), spec.id());
                assertEquals(-1f, spec.actionLow());
                assertEquals(1f, spec.actionHigh());
                assertEquals(1000, spec.maxEpisodeSteps());
                assertFalse(spec.sparseReward());
                assertEquals(t.nq(), env.simulation().nq(), spec.id());
                assertEquals(t.act(), env.simulation().nu(), spec.id());
                assertEquals(t.frameSkip() * t.timestep(), env.dt(), 1e-15, spec.id());
                for (int i = 0; i < t.act(); i++) {
                    assertEquals(-1.0, env.simulation().controlLow(i));
                    assertEquals(1.0, env.simulation().controlHigh(i));
                }
                float[] o = env.reset(new Rng(1));
                assertEquals(t.obs(), o.length, spec.id());
                Env.Step s = env.step(new float[t.act()]);
                assertEquals(t.obs(), s.observation().length, spec.id());
            }
        }
    }

    @Test
    void sameSeedSameEpisode() {
        for (Task t : TASKS) {
            try (MujocoEnv a = t.make().get(); MujocoEnv b = t.make().get()) {
                List<float[]> first = rollout(a, 7, 60), second = rollout(b, 7, 60), again = rollout(a, 7, 60);
                assertEquals(first.size(), second.size());
                for (int i = 0; i < first.size(); i++) {
                    assertArrayEquals(first.get(i), second.get(i), a.spec().id() + " step " + i);
                    assertArrayEquals(first.get(i), again.get(i), a.spec().id() + " step " + i + " after a reset");
                }
                assertFalse(java.util.Arrays.equals(first.get(0), rollout(a, 8, 1).get(0)), "another seed, another start");
            }
        }
    }

    /** Observations and rewards (as one-element arrays) of an episode under seeded random actions. */
    private static List<float[]> rollout(MujocoEnv env, long seed, int steps) {
        Rng rng = new Rng(seed);
        List<float[]> out = new java.util.ArrayList<>();
        out.add(env.reset(rng));
        for (int i = 0; i < steps; i++) {
            float[] a = new float[env.spec().actionDim()];
            for (int k = 0; k < a.length; k++) {
                a[k] = (float) rng.uniform(-1.2, 1.2);
            }
            Env.Step s = env.step(a);
            out.add(s.observation());
            out.add(new float[] {(float) s.reward()});
            if (s.done()) {
                break;
            }
        }
        return out;
    }

    @Test
    void rewardIsForwardVelocityPlusHealthyMinusControlCost() {
        for (Task t : TASKS) {
            try (MujocoEnv env = t.make().get()) {
                Rng rng = new Rng(3);
                env.reset(rng);
                for (int i = 0; i < 20; i++) {
                    float[] a = new float[t.act()];
                    double control = 0;
                    for (int k = 0; k < a.length; k++) {
                        a[k] = (float) rng.uniform(-1.5, 1.5); // partly outside the box: the cost uses the clipped action
                        double clipped = Math.max(-1, Math.min(1, a[k]));
                        control += clipped * clipped;
                    }
                    double x0 = env.simulation().qpos(0), time0 = env.simulation().time();
                    Env.Step s = env.step(a);
                    double x1 = env.simulation().qpos(0);
                    assertEquals(t.frameSkip() * t.timestep(), env.simulation().time() - time0, 1e-12, "frame skip");
                    double expected = (x1 - x0) / (t.frameSkip() * t.timestep()) + t.healthy() - t.ctrlWeight() * control;
                    assertEquals(expected, s.reward(), 1e-9, env.spec().id() + " step " + i);
                    for (int k = 0; k < a.length; k++) {
                        assertEquals(Math.max(-1, Math.min(1, (double) a[k])), env.simulation().control(k), 1e-6);
                    }
                    // observation = [qpos[1:], clip(qvel)]
                    float[] o = s.observation();
                    for (int q = 1; q < t.nq(); q++) {
                        assertEquals((float) env.simulation().qpos(q), o[q - 1]);
                    }
                    if (s.done()) {
                        break;
                    }
                }
            }
        }
    }

    @Test
    void hopperTerminatesWhenLowTiltedOrOutOfRange() {
        try (Hopper hopper = new Hopper()) {
            double[] qpos = initial(hopper), qvel = new double[6];
            assertFalse(stepFrom(hopper, qpos, qvel).terminated(), "upright start is healthy");
            qpos[1] = 0.65; // torso below 0.7
            hopper.setState(qpos, qvel);
            double x0 = hopper.simulation().qpos(0);
            Env.Step low = hopper.step(new float[3]);
            assertTrue(low.terminated() && !low.truncated());
            double forward = (hopper.simulation().qpos(0) - x0) / hopper.dt();
            assertEquals(1.0, low.reward() - forward, 1e-9, "the healthy reward is paid on the terminating step too");
            qpos = initial(hopper);
            qpos[2] = 0.25; // pitch beyond 0.2
            assertTrue(stepFrom(hopper, qpos, qvel).terminated());
            qpos[2] = -0.25;
            assertTrue(stepFrom(hopper, qpos, qvel).terminated());
            qpos = initial(hopper);
            qvel[0] = 150; // forward speed beyond the state range (rootx is free: it keeps its speed for a step)
            assertTrue(stepFrom(hopper, qpos, qvel).terminated(), "state-range rule");
            assertThrows(IllegalStateException.class, () -> hopper.step(new float[3]), "stepping a finished episode");
            assertTrue(randomEpisodeLength(hopper) < 1000, "a random hopper falls");
        }
    }

    @Test
    void walkerTerminatesOutsideTheHeightBandOrTilted() {
        try (Walker2d walker = new Walker2d()) {
            double[] qpos = initial(walker), qvel = new double[9];
            assertFalse(stepFrom(walker, qpos, qvel).terminated());
            qpos[1] = 0.75;
            assertTrue(stepFrom(walker, qpos, qvel).terminated(), "below 0.8");
            qpos[1] = 2.3;
            assertTrue(stepFrom(walker, qpos, qvel).terminated(), "above 2.0");
            qpos = initial(walker);
            qpos[2] = 1.1;
            assertTrue(stepFrom(walker, qpos, qvel).terminated(), "pitch beyond 1");
            qpos[2] = 0.9;
            assertFalse(stepFrom(walker, qpos, qvel).terminated(), "pitch 0.9 is still healthy");
            assertTrue(randomEpisodeLength(walker) < 1000, "a random walker falls");
        }
    }

    @Test
    void cheetahIsTruncatedAtTheTimeLimitNeverTerminated() {
        try (HalfCheetah cheetah = new HalfCheetah()) {
            cheetah.reset(new Rng(5));
            float[] a = new float[6];
            for (int i = 1; i <= 1000; i++) {
                Env.Step s = cheetah.step(a);
                assertFalse(s.terminated(), "step " + i);
                assertEquals(i == 1000, s.truncated(), "step " + i);
            }
            assertThrows(IllegalStateException.class, () -> cheetah.step(a));
            cheetah.reset(new Rng(6));
            assertFalse(cheetah.step(a).done(), "a reset starts a new episode");
        }
    }

    @Test
    void resetNoiseHasTheRecipesScale() {
        try (HalfCheetah cheetah = new HalfCheetah(); Hopper hopper = new Hopper()) {
            Rng rng = new Rng(9);
            double maxCheetahQpos = 0, sumSqCheetahQvel = 0, maxHopper = 0;
            int n = 200;
            for (int e = 0; e < n; e++) {
                cheetah.reset(rng);
                hopper.reset(rng);
                for (int i = 0; i < 9; i++) {
                    maxCheetahQpos = Math.max(maxCheetahQpos, Math.abs(cheetah.simulation().qpos(i) - cheetah.simulation().qpos0(i)));
                    sumSqCheetahQvel += Math.pow(cheetah.simulation().qvel(i), 2);
                }
                for (int i = 0; i < 6; i++) {
                    maxHopper = Math.max(maxHopper, Math.abs(hopper.simulation().qpos(i) - hopper.simulation().qpos0(i)));
                    maxHopper = Math.max(maxHopper, Math.abs(hopper.simulation().qvel(i)));
                }
            }
            assertTrue(maxCheetahQpos <= 0.1 && maxCheetahQpos > 0.09, "cheetah qpos noise U(-0.1, 0.1): " + maxCheetahQpos);
            assertEquals(0.1, Math.sqrt(sumSqCheetahQvel / (9 * n)), 0.01, "cheetah qvel noise 0.1 N(0, 1)");
            assertTrue(maxHopper <= 0.005 && maxHopper > 0.004, "hopper noise U(-0.005, 0.005): " + maxHopper);
            assertEquals(1.25, hopper.simulation().qpos0(1), 0.0, "qpos[1] is the torso's height");
        }
    }

    @Test
    void manyCyclesDoNotLeakNativeMemory() throws IOException {
        cycles(30); // warm up: JIT, class loading, malloc arenas
        long before = residentKiB();
        cycles(300);
        long grown = residentKiB() - before;
        // A simulation holds about 2 MB of MuJoCo memory: 300 leaked ones would add ~600 MB (the solver stack is
        // zeroed at creation, so it is resident). Allow for JIT and allocator noise.
        assertTrue(grown < 60 * 1024, "resident memory grew by " + grown / 1024 + " MiB over 300 make/reset/step/close cycles");
    }

    private static void cycles(int n) {
        Rng rng = new Rng(0);
        for (int i = 0; i < n; i++) {
            try (MujocoEnv env = TASKS.get(i % 3).make().get()) {
                env.reset(rng);
                for (int k = 0; k < 5; k++) {
                    env.step(new float[env.spec().actionDim()]);
                }
            }
        }
    }

    private static long residentKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static double[] initial(MujocoEnv env) {
        double[] q = new double[env.simulation().nq()];
        for (int i = 0; i < q.length; i++) {
            q[i] = env.simulation().qpos0(i);
        }
        return q;
    }

    private static Env.Step stepFrom(MujocoEnv env, double[] qpos, double[] qvel) {
        env.setState(qpos, qvel);
        return env.step(new float[env.spec().actionDim()]);
    }

    private static int randomEpisodeLength(MujocoEnv env) {
        Rng rng = new Rng(11);
        env.reset(rng);
        for (int i = 1; ; i++) {
            float[] a = new float[env.spec().actionDim()];
            for (int k = 0; k < a.length; k++) {
                a[k] = (float) rng.uniform(-1, 1);
            }
            if (env.step(a).done()) {
                return i;
            }
        }
    }
}
