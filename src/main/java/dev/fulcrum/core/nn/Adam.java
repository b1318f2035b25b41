package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba, 2015) over a named set of parameters, with its moments kept by us so that checkpoints hold the
 * whole optimiser state (DJL's {@code Model.save} does not).
 *
 * <pre>
 *   m_t = b1 m_{t-1} + (1 - b1) g_t           v_t = b2 v_{t-1} + (1 - b2) g_t^2
 *   w_t = w_{t-1} - lr * sqrt(1 - b2^t) / (1 - b1^t) * m_t / (sqrt(v_t) + eps)
 * </pre>
 * The update runs as one fused native call per parameter. Epsilon is added to {@code sqrt(v_t)} before the bias
 * correction of the step size (the original paper's "efficient" form); PyTorch adds it after, a difference that only
 * matters while {@code sqrt(v_t)} is comparable to {@code eps}. {@code AdamTest} pins this against a plain-Java reference.
 *
 * <p>Use it as in PyTorch: {@link #zeroGradients()}, backward, {@link #step()}. Zeroing before each backward is what keeps
 * one loss's gradients (say the actor's, flowing through the critic) out of another network's update.
 */
public final class Adam {
    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private double learningRate;
    private long steps;

    public Adam(NDManager manager, Map<String, NDArray> parameters, double learningRate) {
        this(manager, parameters, learningRate, 0.9, 0.999, 1e-8);
    }

    public Adam(NDManager manager, Map<String, NDArray> parameters, double learningRate, double beta1, double beta2,
                double epsilon) {
        this.parameters = Map.copyOf(parameters);
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        parameters.forEach((name, p) -> {
            firstMoments.put(name, manager.zeros(p.getShape(), p.getDataType()));
            secondMoments.put(name, manager.zeros(p.getShape(), p.getDataType()));
        });
    }

    public void zeroGradients() {
        parameters.values().forEach(Torch::zeroGradient);
    }

    /** Applies one update from the gradients accumulated since {@link #zeroGradients()}. */
    public void step() {
        steps++;
        double corrected = learningRate * Math.sqrt(1 - Math.pow(beta2, steps)) / (1 - Math.pow(beta1, steps));
        for (Map.Entry<String, NDArray> e : firstMoments.entrySet()) {
            NDArray w = parameters.get(e.getKey());
            try (NDArray g = w.getGradient()) {
                Torch.fusedAdam(w, g, e.getValue(), secondMoments.get(e.getKey()), (float) learningRate, (float) corrected,
                        (float) beta1, (float) beta2, (float) epsilon);
            }
        }
    }

    public double learningRate() {
        return learningRate;
    }

    /** For schedules (e.g. IQL's cosine decay of the actor's learning rate). */
    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    public long steps() {
        return steps;
    }

    /** Optimiser state for a checkpoint: moments under {@code m.<name>} and {@code v.<name>}. */
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> s = new LinkedHashMap<>();
        firstMoments.forEach((k, v) -> s.put("m." + k, v));
        secondMoments.forEach((k, v) -> s.put("v." + k, v));
        return s;
    }

    /** Restores moments (copied in) and the step count. */
    public void restore(Map<String, NDArray> tensors, long steps) {
        stateTensors().forEach((k, dst) -> {
            NDArray src = tensors.get(k);
            if (src == null) {
                throw new IllegalArgumentException("optimiser state lacks " + k);
            }
            dst.set(src.toByteBuffer());
        });
        this.steps = steps;
    }
}
