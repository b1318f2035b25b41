package dev.fulcrum.control.parl;

import dev.fulcrum.core.config.ConfigException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The preference-alignment testbeds by id: {@code grid-hazard-N} (odd N >= 5) and {@code point-goal-hazard}. */
public final class ParlTasks {
    private static final Pattern GRID = Pattern.compile("grid-hazard-(\\d+)");

    private ParlTasks() {
    }

    public static List<String> examples() {
        return List.of("grid-hazard-5", "grid-hazard-7", PointGoalHazard.ID);
    }

    /** The testbed with its default sizes (the point-goal policy 2x32, 50 evaluation episodes). */
    public static PreferenceTask make(String id) {
        return make(id, 50, new int[] {32, 32});
    }

    /** The testbed a run's configuration asks for (policy sizes and evaluation episodes apply to continuous tasks). */
    public static PreferenceTask make(ParlConfig config) {
        int[] hidden = new int[config.hiddenLayers()];
        java.util.Arrays.fill(hidden, config.hiddenSize());
        return make(config.task(), config.evalEpisodes(), hidden);
    }

    private static PreferenceTask make(String id, int evaluationEpisodes, int[] hidden) {
        check(id);
        if (id.equals(PointGoalHazard.ID)) {
            return new PointGoalHazard(evaluationEpisodes, hidden);
        }
        Matcher m = GRID.matcher(id);
        m.matches();
        return GridHazard.standard(Integer.parseInt(m.group(1)));
    }

    static void check(String id) {
        if (id == null) {
            throw new ConfigException("task", "is required (one of " + examples() + ")");
        }
        if (id.equals(PointGoalHazard.ID)) {
            return;
        }
        Matcher m = GRID.matcher(id);
        if (!m.matches()) {
            throw new ConfigException("task", "must be grid-hazard-N (odd N >= 5) or " + PointGoalHazard.ID + ", got '" + id + "'");
        }
        int n = Integer.parseInt(m.group(1));
        if (n < 5 || n % 2 == 0 || n > 15) {
            throw new ConfigException("task", "grid-hazard size must be odd and in 5..15, got " + n);
        }
    }
}
