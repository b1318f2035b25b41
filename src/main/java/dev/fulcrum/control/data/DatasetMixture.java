package dev.fulcrum.control.data;

import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.policy.BehaviourPolicies;
import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Datasets of mixed quality, in the spirit of D4RL's {@code medium-replay} and {@code medium-expert}: several behaviour
 * policies ({@link BehaviourPolicies} tiers) each collect a share of the transitions with {@link Collector}, and the parts
 * are concatenated. Every part ends on an explicit episode boundary (a terminal or a timeout, as {@code Collector} marks
 * the last row of its budget), so the concatenation keeps episodes apart.
 *
 * <p>The named recipes:
 * <ul>
 *   <li>{@code medium-replay}: half uniform-random, half medium behaviour: low-to-medium quality, as a replay buffer of an
 *       agent trained up to the medium level holds (D4RL's medium-replay is that buffer; we have no training run to
 *       replay, so its two ends stand in for it);</li>
 *   <li>{@code medium-expert}: half medium, half expert, as D4RL's medium-expert;</li>
 *   <li>{@code random-expert}: 90% uniform-random, 10% expert: a deliberately poor mixture whose few good actions an
 *       indiscriminate behaviour-cloning anchor dilutes.</li>
 * </ul>
 */
public final class DatasetMixture {

    /** One behaviour tier and its share of the transitions. */
    public record Component(String quality, double fraction) {
        public Component {
            if (!BehaviourPolicies.QUALITIES.contains(quality)) {
                throw new IllegalArgumentException("unknown behaviour quality '" + quality + "' (known: "
                        + String.join(", ", BehaviourPolicies.QUALITIES) + ")");
            }
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("component " + quality + ": fraction must lie in (0, 1], got " + fraction);
            }
        }
    }

    /** A named list of components whose fractions sum to 1. */
    public record Recipe(String name, List<Component> components) {
        public Recipe {
            components = List.copyOf(components);
            double total = components.stream().mapToDouble(Component::fraction).sum();
            if (components.isEmpty() || Math.abs(total - 1) > 1e-9) {
                throw new IllegalArgumentException("mixture " + name + ": fractions must sum to 1, got " + total);
            }
        }

        /** {@code random:0.5,medium:0.5}. */
        public String describe() {
            return components.stream().map(c -> c.quality() + ":" + c.fraction()).collect(Collectors.joining(","));
        }
    }

    public static final Recipe MEDIUM_REPLAY = new Recipe("medium-replay",
            List.of(new Component("random", 0.5), new Component("medium", 0.5)));
    public static final Recipe MEDIUM_EXPERT = new Recipe("medium-expert",
            List.of(new Component("medium", 0.5), new Component("expert", 0.5)));
    public static final Recipe RANDOM_EXPERT = new Recipe("random-expert",
            List.of(new Component("random", 0.9), new Component("expert", 0.1)));
    public static final List<Recipe> RECIPES = List.of(MEDIUM_REPLAY, MEDIUM_EXPERT, RANDOM_EXPERT);

    private DatasetMixture() {
    }

    /** The recipe called {@code name}, or an error listing the known names. */
    public static Recipe named(String name) {
        return RECIPES.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown dataset mixture '" + name + "' (known: " + RECIPES.stream().map(Recipe::name).collect(Collectors.joining(", "))
                        + ")"));
    }

    /**
     * Collects {@code transitions} rows for {@code envId} by the recipe: component {@code i} collects
     * {@code round(fraction * transitions)} rows (the last takes the remainder) with its own stream
     * {@code rng.split("mixture-" + i + "-" + quality)}. The metadata adds {@code mixture} and {@code components} to the
     * caller's, plus the provenance {@link Collector} records for a single policy.
     */
    public static OfflineDataset collect(String envId, Recipe recipe, int transitions, Rng rng, Map<String, String> metadata) {
        if (transitions < recipe.components().size()) {
            throw new IllegalArgumentException("transitions must be at least " + recipe.components().size() + ", got " + transitions);
        }
        List<OfflineDataset> parts = new ArrayList<>();
        int remaining = transitions;
        for (int i = 0; i < recipe.components().size(); i++) {
            Component c = recipe.components().get(i);
            boolean last = i == recipe.components().size() - 1;
            int rows = last ? remaining : Math.max(1, (int) Math.round(c.fraction() * transitions));
            remaining -= rows;
            Env env = EnvRegistry.make(envId);
            parts.add(Collector.collect(env, BehaviourPolicies.forEnv(envId, c.quality()), rows,
                    rng.split("mixture-" + i + "-" + c.quality()), Map.of()));
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("mixture", recipe.name());
        meta.put("components", recipe.describe());
        meta.put("generator", Collector.GENERATOR);
        meta.put("env", envId);
        meta.put("seed", Long.toString(rng.seed()));
        return concat(parts, meta);
    }

    /**
     * Stacks datasets of the same dimensions row-wise. Each part's last row must end an episode (terminal or timeout);
     * the result's {@code transitions} and {@code episodes} metadata are recomputed.
     */
    public static OfflineDataset concat(List<OfflineDataset> parts, Map<String, String> metadata) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        int s = parts.getFirst().observationDim(), a = parts.getFirst().actionDim(), n = 0;
        for (int p = 0; p < parts.size(); p++) {
            OfflineDataset d = parts.get(p);
            if (d.observationDim() != s || d.actionDim() != a) {
                throw new IllegalArgumentException("part " + p + " has dimensions (" + d.observationDim() + ", " + d.actionDim()
                        + "), part 0 has (" + s + ", " + a + ")");
            }
            int lastRow = d.size() - 1;
            if (d.size() == 0 || !(d.terminals()[lastRow] || d.timeouts()[lastRow])) {
                throw new IllegalArgumentException("part " + p + " does not end on an episode boundary (row " + lastRow + ")");
            }
            n += d.size();
        }
        float[] obs = new float[n * s], next = new float[n * s], act = new float[n * a], rew = new float[n];
        boolean[] terminals = new boolean[n], timeouts = new boolean[n];
        int row = 0;
        for (OfflineDataset d : parts) {
            System.arraycopy(d.observations(), 0, obs, row * s, d.size() * s);
            System.arraycopy(d.nextObservations(), 0, next, row * s, d.size() * s);
            System.arraycopy(d.actions(), 0, act, row * a, d.size() * a);
            System.arraycopy(d.rewards(), 0, rew, row, d.size());
            System.arraycopy(d.terminals(), 0, terminals, row, d.size());
            System.arraycopy(d.timeouts(), 0, timeouts, row, d.size());
            row += d.size();
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        OfflineDataset joined = new OfflineDataset(s, a, obs, act, rew, next, terminals, timeouts, meta);
        meta.put("transitions", Integer.toString(n));
        meta.put("episodes", Integer.toString(joined.episodeCount()));
        return new OfflineDataset(s, a, obs, act, rew, next, terminals, timeouts, meta);
    }
}
