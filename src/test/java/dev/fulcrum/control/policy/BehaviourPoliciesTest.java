package dev.fulcrum.control.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.control.data.Collector;
import dev.fulcrum.control.env.Env;
import dev.fulcrum.control.env.EnvRegistry;
import dev.fulcrum.control.env.EnvSpec;
import dev.fulcrum.control.env.Pendulum;
import dev.fulcrum.control.env.PointGoal;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.stats.Stats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The behaviour tiers: documented score bands, valid actions, and clear errors. */
class BehaviourPoliciesTest {
    @Test
    void mediumTierLiesInItsDocumentedBand() {
        assertMediumInBand(Pendulum.ID, 300, 13);
        assertMediumInBand(PointGoal.ID, 500, 23);
    }

    private static void assertMediumInBand(String envId, int episodes, long seed) {
        double score = normalisedScore(envId, "medium", episodes, seed);
        assertTrue(score >= BehaviourPolicies.MEDIUM_BAND_LOW && score <= BehaviourPolicies.MEDIUM_BAND_HIGH,
                envId + " medium tier normalised score " + score);
    }

    @Test
    void expertTierIsNearTheReferenceAndRandomNearZero() {
        assertTrue(normalisedScore(Pendulum.ID, "expert", 100, 14) > 95);
        assertTrue(normalisedScore(PointGoal.ID, "expert", 100, 24) > 95);
        assertEquals(0, normalisedScore(Pendulum.ID, "random", 200, 15), 6);
        assertEquals(0, normalisedScore(PointGoal.ID, "random", 300, 25), 4);
    }

    @Test
    void everyTierActsInsideTheActionBox() {
        for (String envId : List.of(Pendulum.ID, PointGoal.ID)) { // the environments with scripted experts
            Env env = EnvRegistry.make(envId);
            EnvSpec spec = env.spec();
            for (String quality : BehaviourPolicies.QUALITIES) {
                Policy policy = BehaviourPolicies.forEnv(envId, quality);
                Rng rng = new Rng(31);
                float[] o = env.reset(rng);
                for (int t = 0; t < 300; t++) {
                    float[] a = policy.act(o, rng);
                    assertEquals(spec.actionDim(), a.length);
                    for (float v : a) {
                        assertTrue(v >= spec.actionLow() && v <= spec.actionHigh(), envId + "/" + quality + " action " + v);
                    }
                    Env.Step s = env.step(a);
                    o = s.done() ? env.reset(rng) : s.observation();
                }
            }
        }
    }

    @Test
    void uniformRandomPolicyCoversTheBox() {
        EnvSpec spec = EnvRegistry.make(Pendulum.ID).spec();
        UniformRandomPolicy policy = new UniformRandomPolicy(spec);
        Rng rng = new Rng(41);
        double[] draws = new double[4000];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = policy.act(new float[3], rng)[0];
        }
        assertEquals(0, Stats.mean(draws), 0.1);
        assertEquals(4 / Math.sqrt(12), Stats.std(draws), 0.05, "the sd of U(-2, 2)");
    }

    @Test
    void pendulumExpertSwingsUpAndBalances() {
        Pendulum env = new Pendulum();
        float[] o = env.setState(Math.PI, 0); // hanging down at rest: the hardest start
        PendulumExpert expert = new PendulumExpert();
        for (int t = 0; t < 200; t++) {
            o = env.step(expert.act(o, null)).observation();
        }
        assertTrue(o[0] > 0.999 && Math.abs(o[2]) < 0.05, "upright and still after 200 steps: cos " + o[0] + ", thdot " + o[2]);
    }

    @Test
    void unknownNamesAreRejectedWithTheValidValues() {
        String quality = assertThrows(IllegalArgumentException.class, () -> BehaviourPolicies.forEnv(Pendulum.ID, "great"))
                .getMessage();
        assertTrue(quality.contains("great") && quality.contains("random, medium, expert"), quality);
        String env = assertThrows(IllegalArgumentException.class, () -> BehaviourPolicies.forEnv("cartpole", "medium"))
                .getMessage();
        assertTrue(env.contains("cartpole") && env.contains("pendulum"), env);
        assertThrows(IllegalArgumentException.class, () -> new NoisyPolicy(new PendulumExpert(),
                EnvRegistry.make(Pendulum.ID).spec(), 1.5, 0.1));
    }

    @Test
    void noisyTiersDrawTheirNoiseFromTheRng() {
        Policy medium = BehaviourPolicies.forEnv(Pendulum.ID, "medium");
        float[] obs = {0.5f, 0.8f, 1f};
        assertEquals(medium.act(obs, new Rng(5))[0], medium.act(obs, new Rng(5))[0]);
        assertNotEquals(medium.act(obs, new Rng(5))[0], medium.act(obs, new Rng(6))[0]);
    }

    private static double normalisedScore(String envId, String quality, int episodes, long seed) {
        Env env = EnvRegistry.make(envId);
        double mean = Stats.mean(Collector.evaluate(env, BehaviourPolicies.forEnv(envId, quality), episodes, new Rng(seed)));
        return env.spec().normalisedScore(mean);
    }
}
