package dev.fulcrum.bench;

import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.mujoco.MujocoEnv;
import dev.fulcrum.control.env.mujoco.MujocoLibrary;
import dev.fulcrum.control.env.mujoco.MujocoSimulation;
import dev.fulcrum.core.rng.Rng;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * MuJoCo stepping throughput through the Java binding, measured the way {@code scripts/bench/mujoco_step.c} measures
 * plain C on the same MJCF file: every "env step" draws uniform random controls in the control range and calls
 * {@code mj_step} frame-skip times; no resets; the controls come from the same generator (splitmix64) and seed. The
 * {@code env} mode times the full {@link Env#step} instead (clipping, reward, termination check and the observation
 * array; resets when an episode ends).
 */
public final class MujocoStepBench {
    public enum Mode { BINDING, ENV }

    /**
     * {@code seconds}: wall-clock time; {@code cpuSeconds}: the stepping thread's CPU time, which other jobs on the
     * machine disturb far less. {@code finalX}: the root's x position at the end, qpos[0] (the C loop prints it too).
     */
    public record Result(Mode mode, String env, String model, int frameSkip, long envSteps, double seconds, double cpuSeconds,
                         double finalX) {
        public double envStepsPerSecond() {
            return envSteps / seconds;
        }

        public double envStepsPerCpuSecond() {
            return envSteps / cpuSeconds;
        }

        @Override
        public String toString() {
            String what = mode == Mode.BINDING ? "Java (FFM binding" : "Java (Env.step";
            return ("%s, MuJoCo %s) model=%s frame_skip=%d: %d env steps, wall %.3f s, cpu %.3f s => %.0f env steps/s wall, "
                    + "%.0f env steps/s cpu, %.0f mj_step/s cpu (x=%.3f)")
                    .formatted(what, MujocoLibrary.versionString(MujocoLibrary.version()), model, frameSkip, envSteps, seconds,
                            cpuSeconds, envStepsPerSecond(), envStepsPerCpuSecond(), envStepsPerCpuSecond() * frameSkip, finalX);
        }
    }

    private MujocoStepBench() {
    }

    public static Result run(Mode mode, String envId, long envSteps, long warmup, long seed) {
        if (envSteps <= 0 || warmup < 0) {
            throw new IllegalArgumentException("steps must be positive and warmup non-negative, got " + envSteps + " and " + warmup);
        }
        Env made = EnvRegistry.make(envId);
        if (!(made instanceof MujocoEnv env)) {
            throw new IllegalArgumentException("'" + envId + "' is not a MuJoCo environment");
        }
        try (env) {
            if (mode == Mode.BINDING) {
                MujocoSimulation sim = env.simulation();
                sim.reset();
                SplitMix64 controls = new SplitMix64(seed);
                stepBinding(sim, env.frameSkip(), warmup, controls);
                Clock clock = new Clock();
                stepBinding(sim, env.frameSkip(), envSteps, controls);
                return clock.result(mode, envId, sim.name(), env.frameSkip(), envSteps, sim.qpos(0));
            }
            Rng rng = new Rng(seed);
            env.reset(rng);
            stepEnv(env, warmup, rng);
            Clock clock = new Clock();
            stepEnv(env, envSteps, rng);
            return clock.result(mode, envId, env.simulation().name(), env.frameSkip(), envSteps, env.simulation().qpos(0));
        }
    }

    /**
     * The C loop's generator (splitmix64), so that both loops apply the same controls from the same seed: the two
     * simulations then follow the same trajectory (same contacts, same solver work) and end at the same root x, which
     * both print as a check that the work was identical.
     */
    static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            state = seed;
        }

        double nextDouble() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            return (z >>> 11) * 0x1.0p-53;
        }
    }

    /** Wall-clock and this thread's CPU time since construction. */
    private static final class Clock {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final long wall0 = System.nanoTime(), cpu0 = threads.getCurrentThreadCpuTime();

        Result result(Mode mode, String env, String model, int frameSkip, long envSteps, double finalX) {
            long cpu = threads.getCurrentThreadCpuTime() - cpu0, wall = System.nanoTime() - wall0;
            return new Result(mode, env, model, frameSkip, envSteps, wall / 1e9, cpu / 1e9, finalX);
        }
    }

    private static void stepBinding(MujocoSimulation sim, int frameSkip, long envSteps, SplitMix64 rng) {
        int nu = sim.nu();
        double[] low = new double[nu], high = new double[nu];
        for (int i = 0; i < nu; i++) {
            low[i] = sim.controlLow(i);
            high[i] = sim.controlHigh(i);
        }
        for (long s = 0; s < envSteps; s++) {
            for (int i = 0; i < nu; i++) {
                sim.setControl(i, low[i] + (high[i] - low[i]) * rng.nextDouble());
            }
            sim.step(frameSkip);
        }
    }

    private static void stepEnv(Env env, long envSteps, Rng rng) {
        float[] action = new float[env.spec().actionDim()];
        for (long s = 0; s < envSteps; s++) {
            for (int i = 0; i < action.length; i++) {
                action[i] = (float) rng.uniform(-1, 1);
            }
            if (env.step(action).done()) {
                env.reset(rng);
            }
        }
    }
}
