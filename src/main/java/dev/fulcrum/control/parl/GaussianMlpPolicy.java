package dev.fulcrum.control.parl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.nets.GaussianActor;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import java.util.List;
import java.util.Map;

/**
 * A Gaussian MLP policy for continuous actions, {@code a ~ N(tanh(MLP(s)), diag(exp(2 log_std)))}, the project's
 * {@link GaussianActor} in FLOAT64 seen through a flat parameter vector (the layout of {@link GaussianActor#parameters()},
 * each tensor row-major). Log-probabilities and weighted scores run on the PyTorch engine under {@link Torch.Tape};
 * sampling uses the caller's {@link Rng}, never PyTorch's generator. Actions are returned unclipped.
 */
public final class GaussianMlpPolicy implements StochasticPolicy {
    private final GaussianActor actor;
    private final Map<String, NDArray> tensors;
    private final NDManager manager;
    private final int observationDim;
    private final int actionDim;
    private final int parameterCount;

    public GaussianMlpPolicy(NDManager manager, int observationDim, int actionDim, int[] hidden, double initialLogStd, Rng rng) {
        this.manager = manager;
        this.observationDim = observationDim;
        this.actionDim = actionDim;
        this.actor = new GaussianActor(manager, observationDim, actionDim, hidden, DataType.FLOAT64, rng);
        this.tensors = actor.parameters();
        int count = 0;
        for (NDArray p : tensors.values()) {
            count += Math.toIntExact(p.size());
        }
        this.parameterCount = count;
        double[] logStd = new double[actionDim];
        java.util.Arrays.fill(logStd, initialLogStd);
        tensors.get("log_std").set(logStd);
    }

    @Override
    public int parameterCount() {
        return parameterCount;
    }

    @Override
    public double[] parameters() {
        double[] theta = new double[parameterCount];
        int offset = 0;
        for (NDArray p : tensors.values()) {
            double[] v = p.toDoubleArray();
            System.arraycopy(v, 0, theta, offset, v.length);
            offset += v.length;
        }
        return theta;
    }

    @Override
    public void setParameters(double[] theta) {
        if (theta.length != parameterCount) {
            throw new IllegalArgumentException("expected " + parameterCount + " parameters, got " + theta.length);
        }
        int offset = 0;
        for (NDArray p : tensors.values()) {
            int n = Math.toIntExact(p.size());
            p.set(java.util.Arrays.copyOfRange(theta, offset, offset + n));
            offset += n;
        }
    }

    @Override
    public float[] sample(float[] observation, Rng rng) {
        return sample(new float[][] {observation}, rng)[0];
    }

    @Override
    public float[][] sample(float[][] observations, Rng rng) {
        double[] mean = mean(observations);
        double[] logStd = tensors.get("log_std").toDoubleArray();
        float[][] out = new float[observations.length][actionDim];
        for (int i = 0; i < observations.length; i++) {
            for (int j = 0; j < actionDim; j++) {
                double sd = Math.exp(Math.max(GaussianActor.LOG_STD_MIN, Math.min(GaussianActor.LOG_STD_MAX, logStd[j])));
                out[i][j] = (float) (mean[i * actionDim + j] + sd * rng.gaussian());
            }
        }
        return out;
    }

    /** The mean actions {@code tanh(MLP(s))}, row-major {@code [B * A]}. */
    public double[] mean(float[][] observations) {
        try (NDScope ignored = new NDScope()) {
            return actor.mean(matrix(observations, observationDim)).toDoubleArray();
        }
    }

    @Override
    public double[] logProbabilities(List<Trajectory> batch) {
        try (NDScope ignored = new NDScope()) {
            return logProb(batch).toDoubleArray();
        }
    }

    @Override
    public double[] weightedScore(List<Trajectory> batch, double[] stepWeights) {
        if (stepWeights.length != StochasticPolicy.steps(batch)) {
            throw new IllegalArgumentException("expected " + StochasticPolicy.steps(batch) + " step weights, got " + stepWeights.length);
        }
        double[] grad = new double[parameterCount];
        if (stepWeights.length == 0) {
            return grad;
        }
        try (NDScope ignored = new NDScope()) {
            tensors.values().forEach(Torch::zeroGradient);
            try (Torch.Tape tape = new Torch.Tape()) {
                NDArray objective = logProb(batch).mul(manager.create(stepWeights)).sum();
                tape.backward(objective);
            }
            int offset = 0;
            for (NDArray p : tensors.values()) {
                double[] g = p.getGradient().toDoubleArray();
                System.arraycopy(g, 0, grad, offset, g.length);
                offset += g.length;
                Torch.zeroGradient(p);
            }
        }
        return grad;
    }

    private NDArray logProb(List<Trajectory> batch) {
        int steps = StochasticPolicy.steps(batch);
        float[][] obs = new float[steps][];
        float[][] act = new float[steps][];
        int i = 0;
        for (Trajectory t : batch) {
            for (int k = 0; k < t.length(); k++) {
                obs[i] = t.observations()[k];
                act[i++] = t.actions()[k];
            }
        }
        return actor.logProb(matrix(obs, observationDim), matrix(act, actionDim));
    }

    private NDArray matrix(float[][] rows, int width) {
        double[] flat = new double[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < width; j++) {
                flat[i * width + j] = rows[i][j];
            }
        }
        return manager.create(flat, new Shape(rows.length, width));
    }
}
