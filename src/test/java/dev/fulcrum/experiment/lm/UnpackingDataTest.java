package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.data.PreferenceExample;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The two data qualities: which pairs each keeps, how many, and how often their labels are right. */
class UnpackingDataTest {
    private static final List<String> FAMILIES = List.of("arith-add", "sort-asc", "str-reverse", "str-upper", "summary-person");

    private static double gap(PreferenceExample e) {
        return e.extra().get("chosen_reward").asDouble() - e.extra().get("rejected_reward").asDouble();
    }

    @Test
    void highQualityKeepsClearGapsWithCleanLabels() {
        UnpackingData.Dataset d = UnpackingData.build(UnpackingData.HIGH, FAMILIES, 1, 20, 30);
        assertEquals(150, d.pairs().size());
        Map<String, Long> perFamily = d.pairs().stream().collect(Collectors.groupingBy(e -> e.extra().get("family").asText(),
                Collectors.counting()));
        FAMILIES.forEach(f -> assertEquals(30L, perFamily.get(f), f));
        d.pairs().forEach(e -> assertTrue(Math.abs(gap(e)) >= 0.25, "gap " + gap(e)));
        assertTrue(d.pairs().stream().anyMatch(e -> e.extra().get("chosen_level").asInt() == 0), "the reference answer takes part");
        // at t = 0.05 a gap of 0.25 is labelled right with probability sigma(5) = 0.993, larger gaps more often
        assertTrue(d.labelAccuracy() > 0.97, "label accuracy " + d.labelAccuracy());
        assertEquals(d.pairs().stream().mapToDouble(e -> Math.abs(gap(e))).average().orElseThrow(), d.meanGoldGap(), 1e-12);
    }

    @Test
    void lowQualityPairsTwoWeakResponsesWithNoisyLabels() {
        UnpackingData.Dataset d = UnpackingData.build(UnpackingData.LOW, FAMILIES, 1, 20, 30);
        assertEquals(150, d.pairs().size());
        d.pairs().forEach(e -> assertTrue(e.extra().get("chosen_level").asInt() >= 1 && e.extra().get("rejected_level").asInt() >= 1));
        long right = d.pairs().stream().filter(e -> gap(e) > 0).count(), ties = d.pairs().stream().filter(e -> gap(e) == 0).count();
        assertEquals((right + 0.5 * ties) / d.pairs().size(), d.labelAccuracy(), 1e-12);
        UnpackingData.Dataset high = UnpackingData.build(UnpackingData.HIGH, FAMILIES, 1, 20, 30);
        assertTrue(d.labelAccuracy() < high.labelAccuracy() - 0.15, d.labelAccuracy() + " vs " + high.labelAccuracy());
        assertTrue(d.meanGoldGap() < high.meanGoldGap(), d.meanGoldGap() + " vs " + high.meanGoldGap());
        // the labels are drawn with the oracle's probability, never deterministically right
        assertTrue(d.labelAccuracy() > 0.5 && d.labelAccuracy() < 0.85, "label accuracy " + d.labelAccuracy());
    }

    @Test
    void sameInputsGiveTheSamePairsAndTooFewProblemsFailClearly() {
        assertEquals(UnpackingData.build(UnpackingData.LOW, FAMILIES, 3, 10, 12).pairs(),
                UnpackingData.build(UnpackingData.LOW, FAMILIES, 3, 10, 12).pairs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnpackingData.build(UnpackingData.LOW, FAMILIES, 1, 2, 500));
        assertTrue(e.getMessage().contains("low-quality pairs") && e.getMessage().contains("--pairs-per-family"), e.getMessage());
    }
}
