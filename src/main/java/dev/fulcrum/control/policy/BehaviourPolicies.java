package dev.fulcrum.control.policy;

import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.control.env.Pendulum;
import dev.fulcrum.control.env.PointGoal;
import java.util.List;

/**
 * The behaviour policies that generate datasets, in D4RL's quality tiers:
 * <ul>
 *   <li>{@code random}: uniform in the action box (normalised score 0 by definition);</li>
 *   <li>{@code medium}: the scripted expert, degraded: a uniform random action with probability 0.5 (Pendulum) or 0.85
 *       (PointGoal), otherwise the expert's action plus Gaussian noise (std 0.6 / 1.0 of the box half-width). Measured
 *       normalised scores over 500 episodes: Pendulum 50, PointGoal 40: clearly suboptimal yet informative, like D4RL's
 *       medium tier ({@code BehaviourPoliciesTest} checks the band);</li>
 *   <li>{@code expert}: the scripted expert with small noise (std 0.1 of the box half-width).</li>
 * </ul>
 */
public final class BehaviourPolicies {
    public static final List<String> QUALITIES = List.of("random", "medium", "expert");

    private BehaviourPolicies() {
    }

    public static Policy forEnv(String envId, String quality) {
        EnvSpec spec = EnvRegistry.make(envId).spec();
        Policy expert = switch (envId) {
            case Pendulum.ID -> new PendulumExpert();
            case PointGoal.ID -> new PointGoalExpert();
            default -> throw new IllegalArgumentException("no scripted expert for environment '" + envId + "'");
        };
        return switch (quality) {
            case "random" -> new UniformRandomPolicy(spec);
            case "medium" -> envId.equals(Pendulum.ID) ? new NoisyPolicy(expert, spec, 0.5, 0.6)
                    : new NoisyPolicy(expert, spec, 0.85, 1.0);
            case "expert" -> new NoisyPolicy(expert, spec, 0.0, 0.1);
            default -> throw new IllegalArgumentException("unknown behaviour quality '" + quality + "' (known: "
                    + String.join(", ", QUALITIES) + ")");
        };
    }
}
