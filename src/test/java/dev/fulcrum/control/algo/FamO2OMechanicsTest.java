package dev.fulcrum.control.algo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.nets.BalanceModel;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FamO2O's mechanics, each against values computed by hand. */
class FamO2OMechanicsTest {

    @Test
    void coefficientEncodingMatchesTheFormulaByHand() {
        try (NDManager m = Torch.newManager()) {
            double[] beta = {1.0, 3.5, 14.0};
            double[] got = FamO2O.encodeCoefficient(m.create(beta), 6, 10000).toDoubleArray();
            assertEquals(18, got.length);
            double f1 = 1 / Math.cbrt(10000), f2 = 1 / Math.pow(10000, 2.0 / 3); // 10000^(2i/6), i = 1, 2
            for (int r = 0; r < 3; r++) {
                double[] expected = {Math.sin(beta[r]), Math.cos(beta[r]), Math.sin(beta[r] * f1), Math.cos(beta[r] * f1),
                        Math.sin(beta[r] * f2), Math.cos(beta[r] * f2)};
                for (int c = 0; c < 6; c++) {
                    assertEquals(expected[c], got[6 * r + c], 1e-14, "row " + r + " column " + c);
                }
            }
            // one value written out: beta = 1, column 2 is sin(1 / 10000^(1/3)) = sin(0.0464159) = 0.0463992...
            assertEquals(0.0463992235, got[2], 1e-9);
        }
    }

    @Test
    void mappingAndLogProbabilityCorrection() {
        try (NDManager m = Torch.newManager()) {
            double[] z = {-1, -0.5, 0, 0.5, 1};
            assertArrayEquals(new double[] {8, 9.5, 11, 12.5, 14},
                    BalanceModel.toCoefficient(m.create(z), 8, 14).toDoubleArray(), 1e-12);
            BalanceModel model = new BalanceModel(m, 2, new int[] {4}, 1, 5, DataType.FLOAT64, new Rng(1));
            NDArray obs = m.create(new double[] {0.3, -0.2, 1.0, 0.5}, new Shape(2, 2));
            NDArray eps = m.create(new double[] {0.7, -1.3}, new Shape(2, 1));
            BalanceModel.Sample s = model.sample(obs, eps);
            double[] mu = model.mu(obs).toDoubleArray();
            for (int i = 0; i < 2; i++) {
                double e = eps.toDoubleArray()[i], u = mu[i] + e; // sigma = exp(0) = 1 initially
                double logN = -0.5 * e * e - 0.5 * Math.log(2 * Math.PI);
                double expectedLogProb = logN - Math.log(1 - Math.tanh(u) * Math.tanh(u));
                assertEquals(expectedLogProb, s.logProb().toDoubleArray()[i], 1e-10);
                assertEquals(1 + (Math.tanh(u) + 1) * 2, s.coefficient().toDoubleArray()[i], 1e-12);
                assertEquals(expectedLogProb - Math.log(2), model.logDensityOfCoefficient(s).toDoubleArray()[i], 1e-10);
                assertEquals(1 + (Math.tanh(mu[i]) + 1) * 2, model.mode(obs).toDoubleArray()[i], 1e-12);
            }
        }
    }

    private static Map<String, double[]> snapshot(Map<String, NDArray> params) {
        Map<String, double[]> s = new LinkedHashMap<>();
        params.forEach((k, v) -> s.put(k, v.toType(DataType.FLOAT64, false).toDoubleArray()));
        return s;
    }

    @Test
    void balanceUpdateLeavesTheActorUnchangedAndMovesTheBalanceModel() {
        try (NDManager m = Torch.newManager()) {
            FamO2O f = FamO2OGradientTest.small(m, DataType.FLOAT64);
            Map<String, double[]> actorBefore = snapshot(f.actor.parameters());
            Map<String, double[]> balanceBefore = snapshot(f.balance.parameters());
            try (NDScope ignored = new NDScope()) {
                f.balanceStep(Batches.random(m, 16, 3, 2, new Rng(2)).observations());
            }
            Map<String, double[]> actorAfter = snapshot(f.actor.parameters());
            actorBefore.forEach((k, v) -> assertArrayEquals(v, actorAfter.get(k), 0.0, "actor parameter " + k + " moved"));
            Map<String, double[]> balanceAfter = snapshot(f.balance.parameters());
            assertTrue(balanceBefore.keySet().stream().anyMatch(k -> !java.util.Arrays.equals(balanceBefore.get(k),
                    balanceAfter.get(k))), "the balance step must move the balance model");
        }
    }

    @Test
    void balanceModelCoefficientVariesWithTheState() {
        try (NDManager m = Torch.newManager()) {
            FamO2O f = FamO2OGradientTest.small(m, DataType.FLOAT64);
            Batch b = Batches.random(m, 16, 3, 2, new Rng(12));
            double[] beta = f.coefficients(b.observations()).toDoubleArray();
            double min = java.util.Arrays.stream(beta).min().orElseThrow(), max = java.util.Arrays.stream(beta).max().orElseThrow();
            assertTrue(min > 1 && max < 5, "coefficients inside (1, 5)");
            assertNotEquals(min, max, 1e-6, "different states get different coefficients");
        }
    }
}
