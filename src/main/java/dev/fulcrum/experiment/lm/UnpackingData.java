package dev.fulcrum.experiment.lm;

import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The preference data of the two quality levels of {@link UnpackingExperiment}. Both come from the same problems (the
 * reference answer and its graded corruptions of each problem, every pair of them) and have the same number of pairs per
 * family; they differ in which pairs are kept and how noisily they are labelled:
 * <ul>
 *   <li><b>low</b>: only pairs of two corruptions (two weak responses, the reference answer never appears), labelled by a
 *       Bradley-Terry oracle over the gold reward at temperature 0.5 (a gold gap of 0.25 is labelled right 62% of the time);</li>
 *   <li><b>high</b>: only pairs whose gold rewards differ by at least 0.25 (a clear quality gap; the reference answer
 *       included), labelled at temperature 0.05 (a gap of 0.25 is labelled right 99.3% of the time).</li>
 * </ul>
 */
final class UnpackingData {
    /**
     * @param temperature    the Bradley-Terry labelling oracle's temperature
     * @param minGoldGap     pairs whose gold rewards differ by less are dropped
     * @param weakPairsOnly  keep only pairs of two corruptions (no reference answer)
     */
    record Quality(String name, double temperature, double minGoldGap, boolean weakPairsOnly) {
    }

    static final Quality LOW = new Quality("low", 0.5, 0.0, true);
    static final Quality HIGH = new Quality("high", 0.05, 0.25, false);

    static Quality of(UnpackingGrid.Data d) {
        return d == UnpackingGrid.Data.LOW ? LOW : HIGH;
    }

    /**
     * @param labelAccuracy share of pairs whose chosen response has the higher gold reward (equal rewards count 1/2)
     * @param meanGoldGap   mean |gold(chosen) - gold(rejected)|
     */
    record Dataset(Quality quality, List<PreferenceExample> pairs, double labelAccuracy, double meanGoldGap) {
    }

    private UnpackingData() {
    }

    /**
     * The pairs of {@code quality} from problems 0..perFamily-1 (problem seed {@code seed}) of each family, {@code
     * pairsPerFamily} of them per family drawn at random from those the quality keeps.
     */
    static Dataset build(Quality quality, List<String> families, long seed, int perFamily, int pairsPerFamily) {
        List<PreferenceExample> labelled = OracleDatasets.preferences(OracleDatasets.sources(families, seed, perFamily),
                new BradleyTerryOracle(quality.temperature()), new Rng(seed).split("labels-" + quality.name()), false);
        Map<String, List<PreferenceExample>> kept = new LinkedHashMap<>();
        families.forEach(f -> kept.put(f, new ArrayList<>()));
        for (PreferenceExample e : labelled) {
            boolean weak = Math.min(level(e, "chosen_level"), level(e, "rejected_level")) >= 1;
            if ((!quality.weakPairsOnly() || weak) && Math.abs(gap(e)) >= quality.minGoldGap()) {
                kept.get(e.extra().get("family").asText()).add(e);
            }
        }
        List<PreferenceExample> pairs = new ArrayList<>();
        Rng pick = new Rng(seed).split("subsample-" + quality.name());
        for (var entry : kept.entrySet()) {
            List<PreferenceExample> pool = entry.getValue();
            if (pool.size() < pairsPerFamily) {
                throw new IllegalArgumentException("family " + entry.getKey() + " has " + pool.size() + " " + quality.name()
                        + "-quality pairs among its " + perFamily + " problems, fewer than the " + pairsPerFamily
                        + " asked for: raise --per-family or lower --pairs-per-family");
            }
            int[] order = pick.split(entry.getKey()).permutation(pool.size());
            for (int i = 0; i < pairsPerFamily; i++) {
                pairs.add(pool.get(order[i]));
            }
        }
        double right = 0, gaps = 0;
        for (PreferenceExample e : pairs) {
            double g = gap(e);
            right += g > 0 ? 1 : g == 0 ? 0.5 : 0;
            gaps += Math.abs(g);
        }
        return new Dataset(quality, List.copyOf(pairs), right / pairs.size(), gaps / pairs.size());
    }

    private static int level(PreferenceExample e, String key) {
        return e.extra().get(key).asInt();
    }

    /** gold(chosen) - gold(rejected). */
    private static double gap(PreferenceExample e) {
        return e.extra().get("chosen_reward").asDouble() - e.extra().get("rejected_reward").asDouble();
    }
}
