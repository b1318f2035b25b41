package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.nets.DeterministicActor;
import dev.fulcrum.control.nets.TwinCritic;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TD3+BC (Fujimoto and Gu, "A Minimalist Approach to Offline Reinforcement Learning", 2021).
 *
 * <p>Signal: the critic {@code Q1(s, pi(s))}. Anchor: the dataset action, by a squared error. Balance: {@code alpha},
 * made scale-free by {@code lambda = alpha / mean|Q1(s, pi(s))|} (detached). One step:
 * <pre>
 *   y    = r + gamma (1 - d) min_i Q'_i(s', clip(pi'(s') + clip(eps, -c, c), -1, 1)),  eps ~ N(0, sigma^2)   (TD3)
 *   L_Q  = sum_i E[(Q_i(s,a) - y)^2]
 *   every `policyFrequency` steps:
 *   L_pi = -lambda E[Q1(s, pi(s))] + E[(pi(s) - a)^2]                                                        (eq. 3)
 *   Q', pi' <- Polyak averages
 * </pre>
 * Target-policy noise is drawn from our {@link Rng} (not the engine's generator) so runs resume bit-for-bit.
 */
public final class Td3Bc implements OfflineAlgorithm {

    /** Defaults are the paper's. */
    public record Config(double alpha, double discount, double polyak, double policyNoise, double noiseClip,
                         int policyFrequency, double actorLr, double criticLr, int hiddenSize, int hiddenLayers) {
        public static Config defaults() {
            return new Config(2.5, 0.99, 0.005, 0.2, 0.5, 2, 3e-4, 3e-4, 256, 2);
        }

        public Config {
            Checks.positive("td3bc.alpha", alpha);
            Checks.inUnit("td3bc.discount", discount);
            Checks.inUnit("td3bc.polyak", polyak);
            Checks.positive("td3bc.policyNoise", policyNoise);
            Checks.positive("td3bc.noiseClip", noiseClip);
            Checks.positive("td3bc.policyFrequency", policyFrequency);
            Checks.positive("td3bc.actorLr", actorLr);
            Checks.positive("td3bc.criticLr", criticLr);
            Checks.positive("td3bc.hiddenSize", hiddenSize);
            Checks.positive("td3bc.hiddenLayers", hiddenLayers);
        }
    }

    private final Config config;
    private final Rng noise;
    private final int actionDim;
    final TwinCritic critic;
    final DeterministicActor actor, actorTarget;
    private final Adam criticOptimizer, actorOptimizer;

    public Td3Bc(NDManager manager, int observationDim, int actionDim, Config config, DataType dtype, Rng rng) {
        this.config = config;
        this.actionDim = actionDim;
        this.noise = rng.split("target-noise");
        int[] hidden = Checks.hidden(config.hiddenSize(), config.hiddenLayers());
        Rng init = rng.split("init");
        actor = new DeterministicActor(manager, observationDim, actionDim, hidden, dtype, init);
        critic = new TwinCritic(manager, observationDim, actionDim, hidden, dtype, init);
        actorTarget = new DeterministicActor(manager, observationDim, actionDim, hidden, dtype, init);
        actorTarget.copyFrom(actor);
        actorTarget.requireGradients(false);
        criticOptimizer = new Adam(manager, critic.parameters(), config.criticLr());
        actorOptimizer = new Adam(manager, actor.parameters(), config.actorLr());
    }

    @Override
    public String name() {
        return "td3bc";
    }

    /** The TD3 target {@code y} with clipped target-policy smoothing noise {@code eps} (shape [B, A]); no gradient. */
    NDArray criticTarget(Batch b, NDArray eps) {
        NDArray nextAction = actorTarget.act(b.nextObservations()).add(eps.clip(-config.noiseClip(), config.noiseClip()))
                .clip(-1, 1);
        NDArray nextQ = critic.targetMin(b.nextObservations(), nextAction);
        return TemporalDifference.target(b.rewards(), b.dones(), nextQ, config.discount());
    }

    /** {@code sum_i mean((Q_i(s,a) - y)^2)}. */
    NDArray criticLoss(Batch b, NDArray y) {
        return TemporalDifference.twinLoss(critic.q1().q(b.observations(), b.actions()),
                critic.q2().q(b.observations(), b.actions()), y);
    }

    /** The balance {@code lambda = alpha / mean|Q|}, a constant of the step (no gradient flows through it). */
    public static NDArray lambda(NDArray q, double alpha) {
        return Scalars.of(q, alpha).div(q.stopGradient().abs().mean());
    }

    /** Eq. 3: {@code -lambda mean(Q) + mean((pi - a)^2)}. */
    public static NDArray actorLoss(NDArray q, NDArray pi, NDArray datasetActions, NDArray lambda) {
        return q.mean().mul(lambda).neg().add(pi.sub(datasetActions).square().mean());
    }

    /** The actor loss with lambda computed from this batch's Q values. */
    NDArray actorLoss(Batch b) {
        return actorLoss(b, null);
    }

    /** The actor loss; a non-null {@code fixedLambda} replaces the batch's own (finite differences must hold it fixed). */
    NDArray actorLoss(Batch b, NDArray fixedLambda) {
        NDArray pi = actor.act(b.observations());
        NDArray q = critic.q1().q(b.observations(), pi);
        return actorLoss(q, pi, b.actions(), fixedLambda != null ? fixedLambda : lambda(q, config.alpha()));
    }

    NDArray sampleTargetNoise(Batch b) {
        float[] eps = noise.gaussians((int) b.size() * actionDim, config.policyNoise());
        NDArray e = b.actions().getManager().create(eps, new Shape(b.size(), actionDim));
        return e.getDataType() == b.actions().getDataType() ? e : e.toType(b.actions().getDataType(), false);
    }

    @Override
    public Map<String, Double> update(Batch b, long step, boolean withMetrics) {
        NDArray y = criticTarget(b, sampleTargetNoise(b));
        NDArray qLoss;
        criticOptimizer.zeroGradients();
        try (Torch.Tape gc = new Torch.Tape()) {
            qLoss = criticLoss(b, y);
            gc.backward(qLoss);
        }
        criticOptimizer.step();

        NDArray piLoss = null;
        if (step % config.policyFrequency() == 0) {
            actorOptimizer.zeroGradients(); // the critic's gradients from this backward are cleared before its next update
            try (Torch.Tape gc = new Torch.Tape()) {
                piLoss = actorLoss(b);
                gc.backward(piLoss);
            }
            actorOptimizer.step();
            actorTarget.softUpdateFrom(actor, config.polyak());
            critic.softUpdate(config.polyak());
        }
        if (!withMetrics) {
            return Map.of();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("critic_loss", qLoss.toType(DataType.FLOAT64, false).toDoubleArray()[0]);
        if (piLoss != null) { // the actor updates every policyFrequency steps; its loss is logged when it did
            m.put("actor_loss", piLoss.toType(DataType.FLOAT64, false).toDoubleArray()[0]);
        }
        m.put("target_q_mean", y.mean().toType(DataType.FLOAT64, false).toDoubleArray()[0]);
        return m;
    }

    @Override
    public NDArray act(NDArray observations) {
        return actor.act(observations);
    }

    /** The live network tensors (weights and targets), by checkpoint name. */
    private Map<String, NDArray> weights() {
        return Module.prefixed("actor", actor, "actor_target", actorTarget, "q1", critic.q1(), "q2", critic.q2(),
                "q1_target", critic.q1Target(), "q2_target", critic.q2Target());
    }

    /** The optimisers, by checkpoint name ({@code optim.<name>.*}). */
    private Map<String, Adam> optimizers() {
        return StateIo.named("critic", criticOptimizer, "actor", actorOptimizer);
    }

    @Override
    public Map<String, NDArray> stateTensors(NDManager scratch) {
        return StateIo.tensors(weights(), optimizers(), scratch);
    }

    @Override
    public Map<String, String> stateMetadata() {
        Map<String, String> m = StateIo.metadata(optimizers());
        dev.fulcrum.core.run.Checkpoint.putRng(m, "td3bc.target-noise", noise);
        return m;
    }

    @Override
    public void loadState(Checkpoint c) {
        StateIo.load(c, weights(), optimizers());
        c.restoreRng("td3bc.target-noise", noise);
    }
}
