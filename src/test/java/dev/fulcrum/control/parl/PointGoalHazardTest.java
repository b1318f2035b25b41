package dev.fulcrum.control.parl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.core.rng.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The continuous testbed: the naive reward prefers the straight path through the hazard, the true utility the detour. */
class PointGoalHazardTest {

    private static double naiveReturn(PointGoalHazard task, List<Trajectory> ts) {
        double s = 0;
        for (Trajectory t : ts) {
            s += GridHazard.dot(task.naiveWeights(), t.featureSum());
        }
        return s / ts.size();
    }

    @Test
    void naiveRewardPrefersTheHazardousStraightPath() {
        PointGoalHazard task = new PointGoalHazard();
        int episodes = 200;
        double straightU = task.evaluateController(PointGoalHazard.waypointController(true), episodes, 3);
        double detourU = task.evaluateController(PointGoalHazard.waypointController(false), episodes, 3);
        double[] naive = new double[2];
        int k = 0;
        for (boolean straight : new boolean[] {true, false}) {
            var controller = PointGoalHazard.waypointController(straight);
            List<Trajectory> ts = task.rolloutsOf(controller, episodes, new Rng(3));
            naive[k++] = naiveReturn(task, ts);
            for (Trajectory t : ts) {
                assertTrue(t.featureSum()[0] == 1, "both controllers reach the goal");
                assertEquals(straight, t.featureSum()[2] > 0, straight ? "straight crosses the hazard" : "detour avoids it");
            }
        }
        PreferenceTask.UtilityScale scale = task.scale();
        System.out.printf("straight: naive %.2f utility %.2f (normalised %.2f); detour: naive %.2f utility %.2f; scale %s%n",
                naive[0], straightU, scale.normalise(straightU), naive[1], detourU, scale);
        assertTrue(naive[0] > naive[1], "the naive reward prefers the straight path");
        assertTrue(detourU > straightU + 3, "the true utility prefers the detour");
        assertTrue(scale.normalise(straightU) < 0.85, "the naive optimum stays below the 0.9 target: " + scale.normalise(straightU));
    }

    @Test
    void episodesEndAtTheGoalOrTheHorizon() {
        PointGoalHazard task = new PointGoalHazard();
        for (Trajectory t : task.rolloutsOf(PointGoalHazard.waypointController(false), 20, new Rng(1))) {
            assertTrue(t.length() < PointGoalHazard.HORIZON);
            assertEquals(1.0, t.features()[t.length() - 1][0]);
        }
        var still = (java.util.function.Function<float[][], float[][]>) obs -> new float[obs.length][2];
        for (Trajectory t : task.rolloutsOf(still, 5, new Rng(1))) {
            assertEquals(PointGoalHazard.HORIZON, t.length());
            assertEquals(0.0, t.featureSum()[0]);
        }
    }
}
