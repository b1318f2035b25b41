package dev.fulcrum.control.data;

import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.policy.Policy;
import dev.fulcrum.core.rng.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/** Rolls policies out in environments: datasets for offline RL, and returns for evaluation. */
public final class Collector {
    private Collector() {
    }

    /**
     * Collects exactly {@code transitions} rows by running whole episodes back to back. {@code terminals} marks true
     * terminal states; {@code timeouts} marks time-limit cuts, and also the last row if the budget ends an episode early,
     * so every episode boundary is explicit. Provenance goes into the metadata.
     */
    public static OfflineDataset collect(Env env, Policy policy, int transitions, Rng rng, Map<String, String> metadata) {
        int s = env.spec().observationDim(), a = env.spec().actionDim();
        float[] obs = new float[transitions * s], next = new float[transitions * s], act = new float[transitions * a];
        float[] rew = new float[transitions];
        boolean[] terminals = new boolean[transitions], timeouts = new boolean[transitions];
        float[] o = env.reset(rng);
        int episodes = 0;
        for (int i = 0; i < transitions; i++) {
            float[] action = policy.act(o, rng);
            Env.Step step = env.step(action);
            System.arraycopy(o, 0, obs, i * s, s);
            System.arraycopy(clipToBox(action, env), 0, act, i * a, a);
            System.arraycopy(step.observation(), 0, next, i * s, s);
            rew[i] = (float) step.reward();
            terminals[i] = step.terminated();
            timeouts[i] = step.truncated() || (i == transitions - 1 && !step.terminated());
            if (step.done()) {
                episodes++;
                o = env.reset(rng);
            } else {
                o = step.observation();
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("generator", "fulcrum Collector");
        meta.put("env", env.spec().id());
        meta.put("seed", Long.toString(rng.seed()));
        meta.put("transitions", Integer.toString(transitions));
        meta.put("complete_episodes", Integer.toString(episodes));
        meta.put("policy", policy.toString());
        return new OfflineDataset(s, a, obs, act, rew, next, terminals, timeouts, meta);
    }

    /** Returns of {@code episodes} full episodes. */
    public static double[] evaluate(Env env, Policy policy, int episodes, Rng rng) {
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

    private static float[] clipToBox(float[] action, Env env) {
        float[] c = new float[action.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.max(env.spec().actionLow(), Math.min(env.spec().actionHigh(), action[i]));
        }
        return c;
    }
}
