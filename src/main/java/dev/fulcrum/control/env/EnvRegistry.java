package dev.fulcrum.control.env;

import dev.fulcrum.control.env.mujoco.HalfCheetah;
import dev.fulcrum.control.env.mujoco.Hopper;
import dev.fulcrum.control.env.mujoco.Walker2d;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Environments by id. */
public final class EnvRegistry {
    private static final Map<String, Supplier<Env>> ENVS = new LinkedHashMap<>();

    static {
        ENVS.put(Pendulum.ID, Pendulum::new);
        ENVS.put(PointGoal.ID, PointGoal::new);
        // MuJoCo tasks: making one throws MujocoUnavailableException (with the install command) where MuJoCo is missing.
        ENVS.put(HalfCheetah.ID, HalfCheetah::new);
        ENVS.put(Hopper.ID, Hopper::new);
        ENVS.put(Walker2d.ID, Walker2d::new);
    }

    private EnvRegistry() {
    }

    public static Env make(String id) {
        Supplier<Env> s = ENVS.get(id);
        if (s == null) {
            throw new IllegalArgumentException("unknown environment '" + id + "' (known: " + String.join(", ", ids()) + ")");
        }
        return s.get();
    }

    public static List<String> ids() {
        return List.copyOf(ENVS.keySet());
    }
}
