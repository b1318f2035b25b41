package dev.fulcrum.control.parl;

import dev.fulcrum.core.rng.Rng;
import java.util.List;

/**
 * A stationary softmax policy over a finite MDP: {@code pi(a|s) = exp(theta[s,a]) / sum_b exp(theta[s,b])}, with
 * {@code theta} stored row-major ({@code s * A + a}). Observations are {@code {s}}, actions {@code {a}}.
 * <pre>
 *   grad_theta log pi(a|s) = e_{s,a} - sum_b pi(b|s) e_{s,b}
 * </pre>
 * Starts uniform ({@code theta = 0}).
 */
public final class TabularSoftmaxPolicy implements StochasticPolicy {
    private final int states;
    private final int actions;
    private final double[] theta;

    public TabularSoftmaxPolicy(int states, int actions) {
        if (states <= 0 || actions <= 0) {
            throw new IllegalArgumentException("a tabular policy needs states and actions, got " + states + " x " + actions);
        }
        this.states = states;
        this.actions = actions;
        this.theta = new double[states * actions];
    }

    public int states() {
        return states;
    }

    public int actions() {
        return actions;
    }

    @Override
    public int parameterCount() {
        return theta.length;
    }

    @Override
    public double[] parameters() {
        return theta.clone();
    }

    @Override
    public void setParameters(double[] values) {
        if (values.length != theta.length) {
            throw new IllegalArgumentException("expected " + theta.length + " parameters, got " + values.length);
        }
        System.arraycopy(values, 0, theta, 0, theta.length);
    }

    /** {@code pi(.|s)}. */
    public double[] probabilities(int s) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < actions; a++) {
            max = Math.max(max, theta[s * actions + a]);
        }
        double[] p = new double[actions];
        double z = 0;
        for (int a = 0; a < actions; a++) {
            p[a] = Math.exp(theta[s * actions + a] - max);
            z += p[a];
        }
        for (int a = 0; a < actions; a++) {
            p[a] /= z;
        }
        return p;
    }

    @Override
    public float[] sample(float[] observation, Rng rng) {
        double[] p = probabilities(state(observation));
        double u = rng.nextDouble(), c = 0;
        for (int a = 0; a < actions; a++) {
            c += p[a];
            if (u < c) {
                return new float[] {a};
            }
        }
        return new float[] {actions - 1};
    }

    @Override
    public double[] logProbabilities(List<Trajectory> batch) {
        double[] out = new double[StochasticPolicy.steps(batch)];
        int i = 0;
        for (Trajectory t : batch) {
            for (int k = 0; k < t.length(); k++) {
                out[i++] = Math.log(probabilities(state(t.observations()[k]))[(int) t.actions()[k][0]]);
            }
        }
        return out;
    }

    @Override
    public double[] weightedScore(List<Trajectory> batch, double[] stepWeights) {
        if (stepWeights.length != StochasticPolicy.steps(batch)) {
            throw new IllegalArgumentException("expected " + StochasticPolicy.steps(batch) + " step weights, got " + stepWeights.length);
        }
        double[] grad = new double[theta.length];
        int i = 0;
        for (Trajectory t : batch) {
            for (int k = 0; k < t.length(); k++) {
                double w = stepWeights[i++];
                if (w == 0) {
                    continue;
                }
                int s = state(t.observations()[k]);
                double[] p = probabilities(s);
                for (int b = 0; b < actions; b++) {
                    grad[s * actions + b] -= w * p[b];
                }
                grad[s * actions + (int) t.actions()[k][0]] += w;
            }
        }
        return grad;
    }

    private int state(float[] observation) {
        int s = (int) observation[0];
        if (s < 0 || s >= states || s != observation[0]) {
            throw new IllegalArgumentException("observation " + observation[0] + " is not a state index of a " + states + "-state MDP");
        }
        return s;
    }
}
