package dev.fulcrum.lm.iterative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The win rate against the start, worked by hand; configuration errors name the field. */
class PolicyWinRateTest {

    /**
     * One str-upper problem, two samples each: the policy's (reference, reference) against the start's (reference, a
     * corruption c): w = (1/2 + sigma((1 - r(c)) / t)) / 2.
     */
    @Test
    void winRateByHand() {
        Problem p = TaskSuite.problem("str-upper", 3, 0);
        String c = p.corruptions().getFirst();
        BradleyTerryOracle bt = new BradleyTerryOracle(0.1);
        PolicyWinRate.Result r = PolicyWinRate.evaluate(List.of(p), List.of(List.of(p.reference(), p.reference())),
                List.of(List.of(p.reference(), c)), "start", bt, 200, new Rng(0));
        double expected = (0.5 + PreferenceOracle.sigmoid((1 - p.score(c)) / 0.1)) / 2;
        assertEquals(expected, r.winRate().winRate().estimate(), 1e-12);
        assertEquals(1.0, r.goldReward(), 1e-12);
        assertTrue(r.winRate().winRate().lo() <= expected && expected <= r.winRate().winRate().hi());
        assertThrows(IllegalArgumentException.class, () -> PolicyWinRate.evaluate(List.of(p), List.of(), List.of(), "start", bt, 10,
                new Rng(0)));
    }

    @Test
    void badSettingsNameTheField() {
        for (var bad : List.of(List.of("method=ppo", "method"), List.of("samplesPerPrompt=1", "samplesPerPrompt"),
                List.of("tau=1", "tau"), List.of("oracle=gold", "oracle"), List.of("dnoMargin=2", "dnoMargin"))) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.load(IterateConfig.class, IterateConfig.defaults(), null, List.of(bad.get(0))));
            assertEquals(bad.get(1), e.field(), e.getMessage());
        }
    }
}
