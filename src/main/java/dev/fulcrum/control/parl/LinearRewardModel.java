package dev.fulcrum.control.parl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.lm.reward.BradleyTerry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learned reward {@code r_nu(s, a, s') = nu . phi(s, a, s')}, linear in the task's features, so an episode's return
 * is {@code R_nu(tau) = nu . Phi(tau)} with {@code Phi = sum_t phi_t}. It is fitted to labelled comparisons by the
 * Bradley-Terry likelihood ({@link BradleyTerry}, no centring term): for a comparison {@code e} won by {@code tau_w}
 * over {@code tau_l},
 * <pre>
 *   U_nu(e) = log sigma( R_nu(tau_w) - R_nu(tau_l) )                       (the preference log-likelihood)
 *   L(nu)   = sum_e w_e U_nu(e),   grad_nu L = sum_e w_e sigma(-(R_w - R_l)) (Phi(tau_w) - Phi(tau_l))
 * </pre>
 * {@code nu} is one FLOAT64 parameter tensor, differentiated with {@link Torch.Tape} and updated with {@link Adam}.
 */
public final class LinearRewardModel implements Module {
    private final NDArray weights;

    public LinearRewardModel(NDManager manager, double[] initialWeights) {
        if (initialWeights.length == 0) {
            throw new IllegalArgumentException("a reward model needs at least one feature");
        }
        this.weights = manager.create(initialWeights.clone());
        weights.setRequiresGradient(true);
    }

    public int featureCount() {
        return (int) weights.size();
    }

    /** A copy of {@code nu}. */
    public double[] weights() {
        return weights.toDoubleArray();
    }

    public void setWeights(double[] nu) {
        if (nu.length != featureCount()) {
            throw new IllegalArgumentException("expected " + featureCount() + " reward weights, got " + nu.length);
        }
        weights.set(nu);
    }

    /** {@code R_nu(tau) = nu . Phi(tau)}. */
    public double episodeReturn(Trajectory trajectory) {
        return GridHazard.dot(weights(), trajectory.featureSum());
    }

    /**
     * {@code -L(nu) = sum_e w_e * BradleyTerry.loss(R_w, R_l)} as a scalar tensor on {@code scratch}, differentiable in
     * {@code nu} (the tensor {@link #parameters()} returns).
     */
    public NDArray weightedNegativeLogLikelihood(NDManager scratch, Comparisons comparisons) {
        return perComparisonLoss(scratch, comparisons).mul(scratch.create(comparisons.weights())).sum();
    }

    private NDArray perComparisonLoss(NDManager scratch, Comparisons comparisons) {
        NDArray winners = featureMatrix(scratch, comparisons.preferred());
        NDArray losers = featureMatrix(scratch, comparisons.rejected());
        return BradleyTerry.loss(winners.matMul(weights), losers.matMul(weights), 0.0);
    }

    private NDArray featureMatrix(NDManager scratch, List<Trajectory> trajectories) {
        int d = featureCount();
        double[] flat = new double[trajectories.size() * d];
        for (int i = 0; i < trajectories.size(); i++) {
            double[] f = trajectories.get(i).featureSum();
            if (f.length != d) {
                throw new IllegalArgumentException("trajectory has " + f.length + " features, the reward model " + d);
            }
            System.arraycopy(f, 0, flat, i * d, d);
        }
        return scratch.create(flat, new Shape(trajectories.size(), d));
    }

    /**
     * The likelihood of {@code comparisons} at the current {@code nu}: the weighted log-likelihood, its gradient in
     * {@code nu}, the per-comparison {@code U_nu(e)}, and the weighted share of comparisons the model ranks correctly.
     */
    public Fit fit(Comparisons comparisons) {
        if (comparisons.size() == 0) {
            return new Fit(0, new double[featureCount()], new double[0], Double.NaN);
        }
        try (NDScope ignored = new NDScope()) {
            NDManager scratch = weights.getManager().newSubManager();
            try (scratch) {
                Torch.zeroGradient(weights);
                NDArray perLoss;
                NDArray total;
                try (Torch.Tape tape = new Torch.Tape()) {
                    perLoss = perComparisonLoss(scratch, comparisons);
                    total = perLoss.mul(scratch.create(comparisons.weights())).sum();
                    tape.backward(total);
                }
                double[] gradient = weights.getGradient().toDoubleArray();
                Torch.zeroGradient(weights);
                double[] per = perLoss.toDoubleArray();
                double accuracy = 0, weightSum = 0;
                for (int e = 0; e < per.length; e++) {
                    per[e] = -per[e];
                    accuracy += comparisons.weights()[e] * (per[e] > Math.log(0.5) ? 1 : 0);
                    weightSum += comparisons.weights()[e];
                }
                for (int j = 0; j < gradient.length; j++) {
                    gradient[j] = -gradient[j];
                }
                return new Fit(-Torch.scalar(total), gradient, per, weightSum > 0 ? accuracy / weightSum : Double.NaN);
            }
        }
    }

    /**
     * One optimiser step that ascends {@code L(nu) + nu . extra} ({@code extra} held constant): with {@code extra = 0}
     * plain likelihood fitting, otherwise the A-PARL update, whose hypergradient adds a correction term to
     * {@code grad_nu L}. {@code adam} must optimise {@link #parameters()}.
     */
    public void ascend(Comparisons comparisons, double[] extra, Adam adam) {
        if (extra.length != featureCount()) {
            throw new IllegalArgumentException("extra direction has " + extra.length + " entries, expected " + featureCount());
        }
        try (NDScope ignored = new NDScope()) {
            NDManager scratch = weights.getManager().newSubManager();
            try (scratch) {
                adam.zeroGradients();
                try (Torch.Tape tape = new Torch.Tape()) {
                    NDArray objective = comparisons.size() == 0 ? weights.mul(scratch.create(extra)).sum()
                            : weightedNegativeLogLikelihood(scratch, comparisons).neg().add(weights.mul(scratch.create(extra)).sum());
                    tape.backward(objective.neg());
                }
                adam.step();
            }
        }
    }

    /** A likelihood evaluation: {@code logLikelihood = L(nu)}, {@code gradient = grad_nu L}, {@code perComparison = U_nu(e)}. */
    public record Fit(double logLikelihood, double[] gradient, double[] perComparison, double accuracy) {
    }

    @Override
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("weights", weights);
        return p;
    }
}
