package dev.fulcrum.control.data;

import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.core.rng.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/** Rolls policies out in environments: datasets for offline RL, and returns for evaluation. */
public final class Collector {
    /** Value of the {@code generator} metadata key on every dataset this class builds. */
    public static final String GENERATOR = "fulcrum Collector";

    private Collector() {
    }

    /**
     * Collects exactly {@code transitions} rows by running episodes back to back, every draw (resets and the policy's
     * noise) coming from {@code rng}, so the same seed gives the same dataset.
     *
     * <p>{@code terminals} marks true terminal states (the environment terminated); {@code timeouts} marks time-limit cuts
     * (the environment truncated), and also the last row when the budget ends an episode early, so every episode boundary
     * is explicit. A row is never both. Actions are stored clipped to the action box, i.e. as the environment applied
     * them. {@code next_observations[i]} is the observation the step returned, which equals {@code observations[i+1]}
     * within an episode.
     *
     * <p>The metadata is the caller's (e.g. {@code quality}, {@code command}) plus provenance: {@code generator},
     * {@code env}, {@code seed} ({@code rng.seed()}), {@code transitions}, {@code episodes} (all episodes, including one
     * cut by the budget), {@code complete_episodes} (those the environment ended), and {@code policy} (the policy's
     * {@code toString()} unless the caller passed one).
     *
     * @throws IllegalArgumentException if {@code transitions} is not positive
     */
    public static OfflineDataset collect(Env env, Policy policy, int transitions, Rng rng, Map<String, String> metadata) {
        if (transitions <= 0) {
            throw new IllegalArgumentException("transitions must be positive, got " + transitions);
        }
        EnvSpec spec = env.spec();
        int s = spec.observationDim(), a = spec.actionDim();
        float[] obs = new float[Math.multiplyExact(transitions, s)], next = new float[transitions * s];
        float[] act = new float[Math.multiplyExact(transitions, a)], rew = new float[transitions];
        boolean[] terminals = new boolean[transitions], timeouts = new boolean[transitions];
        float[] o = env.reset(rng);
        int completeEpisodes = 0;
        boolean budgetCut = false;
        for (int i = 0; i < transitions; i++) {
            float[] action = clipToBox(policy.act(o, rng), spec);
            Env.Step step = env.step(action);
            System.arraycopy(o, 0, obs, i * s, s);
            System.arraycopy(action, 0, act, i * a, a);
            System.arraycopy(step.observation(), 0, next, i * s, s);
            rew[i] = (float) step.reward();
            terminals[i] = step.terminated();
            boolean last = i == transitions - 1;
            timeouts[i] = !step.terminated() && (step.truncated() || last);
            if (step.done()) {
                completeEpisodes++;
                if (!last) {
                    o = env.reset(rng);
                }
            } else {
                o = step.observation();
                budgetCut = last;
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putIfAbsent("policy", policy.toString());
        meta.put("generator", GENERATOR);
        meta.put("env", spec.id());
        meta.put("seed", Long.toString(rng.seed()));
        meta.put("transitions", Integer.toString(transitions));
        meta.put("episodes", Integer.toString(completeEpisodes + (budgetCut ? 1 : 0)));
        meta.put("complete_episodes", Integer.toString(completeEpisodes));
        return new OfflineDataset(s, a, obs, act, rew, next, terminals, timeouts, meta);
    }

    /**
     * Runs {@code episodes} whole episodes (each until the environment terminates or truncates) and returns their
     * undiscounted returns, in order. Resets and the policy's noise draw from {@code rng}.
     */
    public static double[] evaluate(Env env, Policy policy, int episodes, Rng rng) {
        if (episodes < 0) {
            throw new IllegalArgumentException("episodes must be non-negative, got " + episodes);
        }
        double[] returns = new double[episodes];
        for (int e = 0; e < episodes; e++) {
            float[] o = env.reset(rng);
            double total = 0;
            while (true) {
                Env.Step step = env.step(policy.act(o, rng));
                total += step.reward();
                if (step.done()) {
                    break;
                }
                o = step.observation();
            }
            returns[e] = total;
        }
        return returns;
    }

    private static float[] clipToBox(float[] action, EnvSpec spec) {
        if (action.length != spec.actionDim()) {
            throw new IllegalArgumentException("policy returned " + action.length + " action values, " + spec.id()
                    + " takes " + spec.actionDim());
        }
        float[] c = new float[action.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.max(spec.actionLow(), Math.min(spec.actionHigh(), action[i]));
        }
        return c;
    }
}
