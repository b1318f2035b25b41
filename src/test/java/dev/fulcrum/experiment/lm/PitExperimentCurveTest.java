package dev.fulcrum.experiment.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.train.SelfRevision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The experiment's quality measures by hand: gold reward and win rate against y0, averaged within then over families. */
class PitExperimentCurveTest {
    @Test
    void goldAndWinRateAreFamilyMeans() {
        Problem a1 = TaskSuite.problem("str-upper", 9, 0), a2 = TaskSuite.problem("str-upper", 9, 1), b = TaskSuite.problem("arith-add", 9, 0);
        List<Problem> problems = List.of(a1, a2, b);
        List<String> y0 = List.of(a1.corruptions().getLast(), a2.reference(), b.corruptions().getFirst());
        List<String> y1 = List.of(a1.reference(), a2.reference(), b.corruptions().getLast());
        PitExperiment.Curve c = PitExperiment.curve(problems, y0, new SelfRevision.Rounds(List.of(y0, y1), List.of(0, 0)));

        double goldA0 = (a1.score(y0.get(0)) + 1) / 2, goldB0 = b.score(y0.get(2));
        assertEquals((goldA0 + goldB0) / 2, c.gold()[0], 1e-12);
        assertEquals(0.5, c.win()[0], 1e-12, "y0 against itself");
        double goldA1 = 1, goldB1 = b.score(y1.get(2));
        assertEquals((goldA1 + goldB1) / 2, c.gold()[1], 1e-12);
        BradleyTerryOracle judge = new BradleyTerryOracle(0.1);
        double winA = (judge.probability(a1, y1.get(0), y0.get(0)) + 0.5) / 2, winB = judge.probability(b, y1.get(2), y0.get(2));
        assertEquals((winA + winB) / 2, c.win()[1], 1e-12);
        assertEquals(2, c.samples().size(), "one example per family");
        // pooled: y0 solves a2 only; a1 and b are unsolved at round 0
        assertEquals(1.0 / 3, c.solvedShare(), 1e-12);
        assertEquals((a1.score(y0.get(0)) + b.score(y0.get(2))) / 2, c.repaired()[0], 1e-12);
        assertEquals((1 + b.score(y1.get(2))) / 2, c.repaired()[1], 1e-12, "round 1 repairs a1");
        assertEquals(1.0, c.kept()[0], 1e-12);
        assertEquals(1.0, c.kept()[1], 1e-12, "a2 stays solved");
    }
}
