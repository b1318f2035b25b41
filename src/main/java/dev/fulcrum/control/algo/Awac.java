package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.nets.GaussianActor;
import dev.fulcrum.control.nets.TwinCritic;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Advantage-Weighted Actor-Critic (Nair, Gupta, Dalal and Levine, "AWAC: Accelerating Online Reinforcement Learning with
 * Offline Datasets", 2020), as in the paper's Algorithm 1 and CORL's single-file implementation.
 *
 * <p>Signal: the advantage {@code A(s,a) = min_i Q_i(s,a) - min_i Q_i(s, a_pi)}, {@code a_pi ~ pi(.|s)}. Anchor: the
 * buffer's actions (weighted maximum likelihood never queries Q away from them for the actor). Balance: the temperature
 * {@code lambda}. One step:
 * <pre>
 *   y    = r + gamma (1 - d) min_i Q'_i(s', a'),   a' ~ pi(.|s')                       (policy evaluation, no entropy)
 *   L_Q  = sum_i E[(Q_i(s,a) - y)^2]
 *   w    = min(exp((min_i Q_i(s,a) - min_i Q_i(s, a_pi)) / lambda), maxWeight)       (no gradient; critics just updated)
 *   L_pi = -E[w log pi(a|s)]
 *   Q'  <- (1 - tau) Q' + tau Q
 * </pre>
 * The actor is IQL's {@link GaussianActor} (tanh mean, state-independent log std clamped to [-5, 2]; CORL's AWAC leaves
 * the mean unsquashed and clamps the log std to [-20, 2]), so that IQL and AWAC fine-tune the same policy class. Its
 * draws {@code clip(mu + sigma eps, -1, 1)} take their noise from our {@link Rng}, so runs resume bit-for-bit. Networks are
 * 3x256 as in the paper and CORL.
 */
public final class Awac implements OnlineAlgorithm {

    /** Defaults follow the paper and CORL: lambda 1, weights clipped at 100, 3x256 networks, learning rates 3e-4. */
    public record Config(double lambda, double maxWeight, double discount, double polyak, double actorLr, double criticLr,
                         int hiddenSize, int hiddenLayers) {
        public static Config defaults() {
            return new Config(1.0, 100.0, 0.99, 0.005, 3e-4, 3e-4, 256, 3);
        }

        public Config {
            Checks.positive("awac.lambda", lambda);
            Checks.positive("awac.maxWeight", maxWeight);
            Checks.inUnit("awac.discount", discount);
            Checks.inUnit("awac.polyak", polyak);
            Checks.positive("awac.actorLr", actorLr);
            Checks.positive("awac.criticLr", criticLr);
            Checks.positive("awac.hiddenSize", hiddenSize);
            Checks.positive("awac.hiddenLayers", hiddenLayers);
        }
    }

    private final Config config;
    private final Rng noise;
    private final int actionDim;
    final TwinCritic critic;
    final GaussianActor actor;
    private final Adam criticOptimizer, actorOptimizer;

    public Awac(NDManager manager, int observationDim, int actionDim, Config config, DataType dtype, Rng rng) {
        this.config = config;
        this.actionDim = actionDim;
        this.noise = rng.split("policy-noise");
        int[] hidden = Checks.hidden(config.hiddenSize(), config.hiddenLayers());
        Rng init = rng.split("init");
        actor = new GaussianActor(manager, observationDim, actionDim, hidden, dtype, init);
        critic = new TwinCritic(manager, observationDim, actionDim, hidden, dtype, init);
        criticOptimizer = new Adam(manager, critic.parameters(), config.criticLr());
        actorOptimizer = new Adam(manager, actor.parameters(), config.actorLr());
    }

    @Override
    public String name() {
        return "awac";
    }

    /** The advantage weights {@code min(exp((qData - qPolicy) / lambda), maxWeight)}, without gradient. */
    public static NDArray advantageWeights(NDArray qData, NDArray qPolicy, double lambda, double maxWeight) {
        return Iql.advantageWeights(qData.sub(qPolicy), 1.0 / lambda, maxWeight);
    }

    /** The policy-evaluation target {@code y = r + gamma (1 - d) min_i Q'_i(s', a')} for next actions {@code a'}. */
    NDArray criticTarget(Batch b, NDArray nextActions) {
        NDArray nextQ = critic.targetMin(b.nextObservations(), nextActions);
        return TemporalDifference.target(b.rewards(), b.dones(), nextQ, config.discount());
    }

    NDArray criticLoss(Batch b, NDArray y) {
        return TemporalDifference.twinLoss(critic.q1().q(b.observations(), b.actions()),
                critic.q2().q(b.observations(), b.actions()), y);
    }

    /** {@code min_i Q_i(s, a)} of the live critics, without gradient. */
    NDArray minQ(NDArray observations, NDArray actions) {
        return critic.min(observations, actions).stopGradient();
    }

    /** The weighted likelihood {@code -mean(w log pi(a|s))} for given weights. */
    NDArray actorLoss(Batch b, NDArray weights) {
        return Iql.awrLoss(weights, actor.logProb(b.observations(), b.actions()));
    }

    private NDArray noiseFor(NDArray observations) {
        return Noise.standardNormal(noise, observations, observations.getShape().get(0), actionDim);
    }

    @Override
    public Map<String, Double> update(Batch b, long step, boolean withMetrics) {
        NDArray y = criticTarget(b, actor.sample(b.nextObservations(), noiseFor(b.nextObservations())));
        NDArray qLoss;
        criticOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            qLoss = criticLoss(b, y);
            tape.backward(qLoss);
        }
        criticOptimizer.step();

        NDArray policyActions = actor.sample(b.observations(), noiseFor(b.observations()));
        NDArray qData = minQ(b.observations(), b.actions());
        NDArray qPolicy = minQ(b.observations(), policyActions);
        NDArray weights = advantageWeights(qData, qPolicy, config.lambda(), config.maxWeight());
        NDArray piLoss;
        actorOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            piLoss = actorLoss(b, weights);
            tape.backward(piLoss);
        }
        actorOptimizer.step();
        critic.softUpdate(config.polyak());

        if (!withMetrics) {
            return Map.of();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("critic_loss", Torch.scalar(qLoss));
        m.put("actor_loss", Torch.scalar(piLoss));
        m.put("advantage_mean", Torch.scalar(qData.sub(qPolicy).mean()));
        m.put("weight_mean", Torch.scalar(weights.mean()));
        m.put("target_q_mean", Torch.scalar(y.mean()));
        return m;
    }

    @Override
    public NDArray act(NDArray observations) {
        return actor.mean(observations);
    }

    /** The actor's draw {@code clip(mu(s) + sigma eps, -1, 1)}: how AWAC explores online. */
    @Override
    public NDArray explore(NDArray observations, Rng rng) {
        return actor.sample(observations, Noise.standardNormal(rng, observations, observations.getShape().get(0), actionDim));
    }

    /** The live network tensors (weights and targets), by checkpoint name. */
    private Map<String, NDArray> weights() {
        return Module.prefixed("actor", actor, "q1", critic.q1(), "q2", critic.q2(), "q1_target", critic.q1Target(),
                "q2_target", critic.q2Target());
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
        Checkpoint.putRng(m, "awac.policy-noise", noise);
        return m;
    }

    @Override
    public void loadState(Checkpoint c) {
        StateIo.load(c, weights(), optimizers());
        c.restoreRng("awac.policy-noise", noise);
    }
}
