package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Finite-difference gradient check in double precision: compares autograd's gradient of a scalar loss with the central
 * difference {@code (L(w + h e_i) - L(w - h e_i)) / 2h} for every element of every named parameter (or a sample of
 * elements for large tensors).
 *
 * <p>The parameters must be FLOAT64 and the loss must be built afresh by {@code loss} on each call (it is re-evaluated
 * under perturbations). Returns the largest relative error {@code |a - n| / max(|a| + |n|, 1e-3 g_max)} and where it
 * occurred, where {@code g_max} is the largest autograd gradient magnitude: the floor keeps elements whose gradient is
 * tiny (and whose finite difference is mostly rounding noise) from dominating.
 */
public final class GradCheck {
    private GradCheck() {
    }

    public record Result(double maxRelativeError, String worstParameter, int worstIndex, double analytic, double numeric,
                         int elementsChecked) {
        @Override
        public String toString() {
            return "max relative error %.3e at %s[%d] (autograd %.8e, numeric %.8e) over %d elements".formatted(
                    maxRelativeError, worstParameter, worstIndex, analytic, numeric, elementsChecked);
        }
    }

    public static Result check(Map<String, NDArray> parameters, Supplier<NDArray> loss, double step, int maxElementsPerTensor) {
        Map<String, double[]> analytic = new java.util.LinkedHashMap<>();
        parameters.values().forEach(p -> {
            if (p.getDataType() != DataType.FLOAT64) {
                throw new IllegalArgumentException("gradient checks need FLOAT64 parameters, got " + p.getDataType());
            }
            p.setRequiresGradient(true);
            Torch.zeroGradient(p);
        });
        try (Torch.Tape gc = new Torch.Tape()) {
            NDArray l = loss.get();
            gc.backward(l);
            l.close();
        }
        parameters.forEach((name, p) -> {
            try (NDArray g = p.getGradient()) {
                analytic.put(name, g.toDoubleArray());
            }
        });

        double gMax = analytic.values().stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).max().orElse(0);
        double floor = Math.max(1e-12, 1e-3 * gMax);
        double worst = 0;
        String worstName = "";
        int worstIndex = -1;
        double worstA = 0, worstN = 0;
        int checked = 0;
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            double[] values = p.toDoubleArray();
            List<Integer> indices = new ArrayList<>();
            int stride = Math.max(1, values.length / Math.max(1, maxElementsPerTensor));
            for (int i = 0; i < values.length; i += stride) {
                indices.add(i);
            }
            for (int i : indices) {
                double original = values[i];
                values[i] = original + step;
                p.set(values);
                double plus = evaluate(loss);
                values[i] = original - step;
                p.set(values);
                double minus = evaluate(loss);
                values[i] = original;
                p.set(values);
                double numeric = (plus - minus) / (2 * step);
                double a = analytic.get(e.getKey())[i];
                double rel = Math.abs(a - numeric) / Math.max(floor, Math.abs(a) + Math.abs(numeric));
                checked++;
                if (rel > worst) {
                    worst = rel;
                    worstName = e.getKey();
                    worstIndex = i;
                    worstA = a;
                    worstN = numeric;
                }
            }
        }
        return new Result(worst, worstName, worstIndex, worstA, worstN, checked);
    }

    private static double evaluate(Supplier<NDArray> loss) {
        try (NDArray l = loss.get()) {
            return l.toDoubleArray()[0];
        }
    }
}
