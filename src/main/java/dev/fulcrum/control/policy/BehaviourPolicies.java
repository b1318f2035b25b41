package dev.fulcrum.control.policy;

import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.control.env.Pendulum;
import dev.fulcrum.control.env.PointGoal;
import java.util.List;

/**
 * The behaviour policies that generate datasets, in D4RL's quality tiers. Normalised scores below were measured with
 * {@code Collector.evaluate} over 20,000 episodes from {@code new Rng(2)}:
 * <ul>
 *   <li>{@code random}: uniform in the action box (normalised score 0 by definition; measured -0.1 Pendulum, 0.0
 *       PointGoal);</li>
 *   <li>{@code medium}: the scripted expert, degraded: a uniform random action with probability 0.5 (Pendulum) or 0.85
 *       (PointGoal), otherwise the expert's action plus Gaussian noise (std 0.6 / 1.0 of the box half-width). Measured
 *       normalised scores: Pendulum 50.7 (mean return -682), PointGoal 41.5 (success rate 0.43): clearly suboptimal yet
 *       informative, like D4RL's medium tier. {@code BehaviourPoliciesTest} checks both lie in the band [30, 60];</li>
 *   <li>{@code expert}: the scripted expert with small noise (std 0.1 of the box half-width). Measured: Pendulum 99.8,
 *       PointGoal 100.0.</li>
 * </ul>
 */
public final class BehaviourPolicies {
    public static final List<String> QUALITIES = List.of("random", "medium", "expert");

    /** The {@code medium} tier's documented normalised-score band, checked by {@code BehaviourPoliciesTest}. */
    public static final double MEDIUM_BAND_LOW = 30, MEDIUM_BAND_HIGH = 60;

    private BehaviourPolicies() {
    }

    /**
     * The behaviour policy of tier {@code quality} ({@link #QUALITIES}) for environment {@code envId}.
     *
     * @throws IllegalArgumentException naming the valid values, for an unknown environment or quality
     */
    public static Policy forEnv(String envId, String quality) {
        EnvSpec spec = EnvRegistry.make(envId).spec();
        if (quality.equals("random")) { // needs no expert: works for every environment
            return new UniformRandomPolicy(spec);
        }
        Policy expert = switch (envId) {
            case Pendulum.ID -> new PendulumExpert();
            case PointGoal.ID -> new PointGoalExpert();
            default -> throw new IllegalArgumentException("no scripted expert for environment '" + envId + "' (only the random tier)");
        };
        return switch (quality) {
            case "medium" -> envId.equals(Pendulum.ID) ? new NoisyPolicy(expert, spec, 0.5, 0.6)
                    : new NoisyPolicy(expert, spec, 0.85, 1.0);
            case "expert" -> new NoisyPolicy(expert, spec, 0.0, 0.1);
            default -> throw new IllegalArgumentException("unknown behaviour quality '" + quality + "' (known: "
                    + String.join(", ", QUALITIES) + ")");
        };
    }
}
