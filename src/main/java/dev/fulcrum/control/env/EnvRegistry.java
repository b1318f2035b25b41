package dev.fulcrum.control.env;

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
