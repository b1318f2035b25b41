package dev.fulcrum.control.env.mujoco;

import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.core.rng.Rng;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Gymnasium-v4 locomotion recipe shared by {@link HalfCheetah}, {@link Hopper} and {@link Walker2d}: a planar MJCF
 * model whose first degree of freedom is the root's x position.
 * <pre>
 *   step:   ctrl = clip(a, -1, 1); x0 = qpos[0]; mj_step x frameSkip; x1 = qpos[0];  dt = timestep * frameSkip
 *   reward  = (x1 - x0) / dt  +  healthyReward  -  controlCostWeight * |clip(a)|^2
 *   terminated = !healthy(state after the step)      (always healthy for the cheetah)
 *   truncated  = not terminated and 1000 steps taken
 *   observation = [qpos[1:], clip(qvel, -velocityClip, velocityClip)]      (the root x is left out)
 *   reset:  mj_resetData; qpos = qpos0 + U(-noise, noise); qvel = U(-noise, noise) (or noise * N(0, 1)); mj_forward
 * </pre>
 * As in Gymnasium v4 with {@code terminate_when_unhealthy}, the healthy reward is paid on every step, the terminating one
 * included. Close an environment to free its native memory at once (otherwise it is freed when unreachable). A
 * {@link MujocoException} from {@link #step} (a fatal MuJoCo error) ends the episode: call {@link #reset}.
 */
public abstract sealed class MujocoEnv implements Env, AutoCloseable permits HalfCheetah, Hopper, Walker2d {
    /** Gymnasium's time limit for the three tasks. */
    public static final int MAX_EPISODE_STEPS = 1000;

    /** The per-task constants of the recipe above. */
    record Recipe(String model, int frameSkip, double controlCostWeight, double healthyReward, double resetNoise,
                  boolean gaussianVelocityNoise, double velocityClip) {
    }

    protected final MujocoSimulation sim;
    private final EnvSpec spec;
    private final Recipe recipe;
    private final double dt;
    private int steps = -1;
    private boolean done;

    MujocoEnv(EnvSpec spec, Recipe recipe) {
        MujocoLibrary.require();
        this.spec = spec;
        this.recipe = recipe;
        this.sim = MujocoSimulation.fromXml(recipe.model(), modelXml(recipe.model()));
        if (sim.nu() != spec.actionDim() || sim.nq() - 1 + sim.nv() != spec.observationDim()) {
            sim.close();
            throw new IllegalStateException(recipe.model() + " has nq=" + sim.nq() + " nv=" + sim.nv() + " nu=" + sim.nu()
                    + ", which does not fit " + spec);
        }
        this.dt = sim.timestep() * recipe.frameSkip();
    }

    /** The MJCF text of a model shipped with Fulcrum ({@code halfcheetah.xml}, {@code hopper.xml}, {@code walker2d.xml}). */
    public static String modelXml(String resource) {
        try (InputStream in = MujocoEnv.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no MuJoCo model '" + resource + "' in Fulcrum's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public final EnvSpec spec() {
        return spec;
    }

    /** Seconds of simulated time per environment step: timestep x frame skip. */
    public final double dt() {
        return dt;
    }

    public final int frameSkip() {
        return recipe.frameSkip();
    }

    public final double controlCostWeight() {
        return recipe.controlCostWeight();
    }

    public final double healthyReward() {
        return recipe.healthyReward();
    }

    /** The simulation underneath (tests, diagnostics). Writing to it mid-episode changes the episode. */
    public final MujocoSimulation simulation() {
        return sim;
    }

    @Override
    public final float[] reset(Rng rng) {
        sim.reset();
        double noise = recipe.resetNoise();
        for (int i = 0; i < sim.nq(); i++) {
            sim.setQpos(i, sim.qpos0(i) + rng.uniform(-noise, noise));
        }
        for (int i = 0; i < sim.nv(); i++) {
            sim.setQvel(i, recipe.gaussianVelocityNoise() ? noise * rng.gaussian() : rng.uniform(-noise, noise));
        }
        sim.forward();
        steps = 0;
        done = false;
        return observation();
    }

    /** Starts an episode from the given state, without noise (tests, scripted starts). */
    public final float[] setState(double[] qpos, double[] qvel) {
        if (qpos.length != sim.nq() || qvel.length != sim.nv()) {
            throw new IllegalArgumentException(spec.id() + " needs qpos of length " + sim.nq() + " and qvel of length "
                    + sim.nv() + ", got " + qpos.length + " and " + qvel.length);
        }
        sim.reset();
        for (int i = 0; i < qpos.length; i++) {
            sim.setQpos(i, qpos[i]);
        }
        for (int i = 0; i < qvel.length; i++) {
            sim.setQvel(i, qvel[i]);
        }
        sim.forward();
        steps = 0;
        done = false;
        return observation();
    }

    @Override
    public final Step step(float[] action) {
        if (steps < 0 || done) {
            throw new IllegalStateException("step() called on a finished episode; call reset() first");
        }
        if (action.length != spec.actionDim()) {
            throw new IllegalArgumentException(spec.id() + " takes " + spec.actionDim() + " action values, got " + action.length);
        }
        double controlSquared = 0;
        for (int i = 0; i < action.length; i++) {
            float a = Math.max(spec.actionLow(), Math.min(spec.actionHigh(), action[i]));
            controlSquared += (double) a * a;
            sim.setControl(i, a);
        }
        double xBefore = sim.qpos(0);
        try {
            sim.step(recipe.frameSkip());
        } catch (MujocoException e) {
            done = true; // the state is undefined until reset()
            throw e;
        }
        double forwardVelocity = (sim.qpos(0) - xBefore) / dt;
        double reward = forwardVelocity + recipe.healthyReward() - recipe.controlCostWeight() * controlSquared;
        boolean terminated = !isHealthy();
        steps++;
        boolean truncated = !terminated && steps >= MAX_EPISODE_STEPS;
        done = terminated || truncated;
        return new Step(observation(), reward, terminated, truncated);
    }

    /** Whether the state after a step lets the episode go on; false terminates it. */
    protected abstract boolean isHealthy();

    private float[] observation() {
        float[] o = new float[spec.observationDim()];
        int k = 0;
        for (int i = 1; i < sim.nq(); i++) {
            o[k++] = (float) sim.qpos(i);
        }
        double clip = recipe.velocityClip();
        for (int i = 0; i < sim.nv(); i++) {
            o[k++] = (float) Math.max(-clip, Math.min(clip, sim.qvel(i)));
        }
        return o;
    }

    /** Frees the native model and data; the environment cannot be used afterwards. */
    @Override
    public final void close() {
        sim.close();
    }
}
