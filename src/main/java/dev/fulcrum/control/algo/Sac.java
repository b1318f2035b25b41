package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.nets.TwinCritic;
import dev.fulcrum.control.nets.TanhGaussianActor;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Soft Actor-Critic with automatic temperature (Haarnoja et al., "Soft Actor-Critic Algorithms and Applications", 2018).
 *
 * <p>Signal: the soft value {@code min_i Q_i(s, a) - alpha log pi(a|s)}. Anchor: none but entropy (SAC is an online
 * algorithm: it gathers its own data). Balance: the temperature {@code alpha}, tuned so that the policy's entropy stays
 * near the target {@code -|A|}. One step, with {@code a' ~ pi(.|s')} and {@code a~ ~ pi(.|s)} reparameterised draws from
 * the tanh-squashed Gaussian ({@link TanhGaussianActor}):
 * <pre>
 *   y       = r + gamma (1 - d) (min_i Q'_i(s', a') - alpha log pi(a'|s'))          (soft Bellman target)
 *   L_Q     = sum_i E[(Q_i(s,a) - y)^2]
 *   L_pi    = E[alpha log pi(a~|s) - min_i Q_i(s, a~)]                              (after the critic update)
 *   L_alpha = -E[log alpha (log pi(a~|s) + H_target)],  H_target = -|A|             (log pi detached)
 *   Q'     <- (1 - tau) Q' + tau Q
 * </pre>
 * The temperature objective is the paper's {@code J(alpha) = E[-alpha log pi - alpha H_target]} optimised over
 * {@code log alpha}, in the form of the authors' softlearning code. {@code alpha} enters the critic and actor losses as a
 * constant of the step. Every noise draw comes from our {@link Rng}, so runs resume bit-for-bit.
 */
public final class Sac implements OnlineAlgorithm {

    /**
     * Defaults are the paper's hyper-parameters (learning rates 3e-4, 2x256 networks, gamma 0.99, tau 0.005) with
     * {@code log alpha} starting at 0 as in softlearning.
     */
    public record Config(double discount, double polyak, double actorLr, double criticLr, double alphaLr, double initialAlpha,
                         int hiddenSize, int hiddenLayers) {
        public static Config defaults() {
            return new Config(0.99, 0.005, 3e-4, 3e-4, 3e-4, 1.0, 256, 2);
        }

        public Config {
            Checks.inUnit("sac.discount", discount);
            Checks.inUnit("sac.polyak", polyak);
            Checks.positive("sac.actorLr", actorLr);
            Checks.positive("sac.criticLr", criticLr);
            Checks.positive("sac.alphaLr", alphaLr);
            Checks.positive("sac.initialAlpha", initialAlpha);
            Checks.positive("sac.hiddenSize", hiddenSize);
            Checks.positive("sac.hiddenLayers", hiddenLayers);
        }
    }

    private final Config config;
    private final Rng noise;
    private final int actionDim;
    private final double targetEntropy;
    final TanhGaussianActor actor;
    final TwinCritic critic;
    final NDArray logAlpha;
    private final Adam criticOptimizer, actorOptimizer, alphaOptimizer;

    public Sac(NDManager manager, int observationDim, int actionDim, Config config, DataType dtype, Rng rng) {
        this.config = config;
        this.actionDim = actionDim;
        this.targetEntropy = -actionDim;
        this.noise = rng.split("policy-noise");
        int[] hidden = Checks.hidden(config.hiddenSize(), config.hiddenLayers());
        Rng init = rng.split("init");
        actor = new TanhGaussianActor(manager, observationDim, actionDim, hidden, dtype, init);
        critic = new TwinCritic(manager, observationDim, actionDim, hidden, dtype, init);
        double initialLogAlpha = Math.log(config.initialAlpha());
        logAlpha = dtype == DataType.FLOAT64 ? manager.create(new double[] {initialLogAlpha}, new Shape(1))
                : manager.create(new float[] {(float) initialLogAlpha}, new Shape(1));
        logAlpha.setRequiresGradient(true);
        criticOptimizer = new Adam(manager, critic.parameters(), config.criticLr());
        actorOptimizer = new Adam(manager, actor.parameters(), config.actorLr());
        alphaOptimizer = new Adam(manager, Map.of("log_alpha", logAlpha), config.alphaLr());
    }

    @Override
    public String name() {
        return "sac";
    }

    /** The soft Bellman target {@code r + gamma (1 - d) (min(q1', q2') - alpha logPi')}, without gradient. */
    public static NDArray criticTarget(NDArray rewards, NDArray dones, NDArray q1Next, NDArray q2Next, NDArray nextLogProb,
                                       NDArray alpha, double discount) {
        NDArray softValue = NDArrays.minimum(q1Next, q2Next).sub(nextLogProb.mul(alpha));
        return TemporalDifference.target(rewards, dones, softValue, discount);
    }

    /** {@code mean(alpha logPi - min(q1, q2))} at the policy's own reparameterised actions. */
    public static NDArray actorLoss(NDArray q1, NDArray q2, NDArray logProb, NDArray alpha) {
        return logProb.mul(alpha).sub(NDArrays.minimum(q1, q2)).mean();
    }

    /** {@code -mean(logAlpha (logPi + targetEntropy))} with {@code logPi} held constant. */
    public static NDArray temperatureLoss(NDArray logAlpha, NDArray logProb, double targetEntropy) {
        NDArray gap = logProb.stopGradient().add(Scalars.of(logProb, targetEntropy));
        return gap.mul(logAlpha).mean().neg();
    }

    /** The current temperature {@code exp(log alpha)} as a constant (no gradient reaches {@code log alpha} through it). */
    NDArray alpha() {
        return logAlpha.stopGradient().exp();
    }

    /** The critic target for a given next-state noise {@code eps} [B, A]. */
    NDArray criticTarget(Batch b, NDArray eps) {
        TanhGaussianActor.Sample next = actor.sample(b.nextObservations(), eps);
        return criticTarget(b.rewards(), b.dones(), critic.q1Target().q(b.nextObservations(), next.action()),
                critic.q2Target().q(b.nextObservations(), next.action()), next.logProb(), alpha(), config.discount()).stopGradient();
    }

    NDArray criticLoss(Batch b, NDArray y) {
        return TemporalDifference.twinLoss(critic.q1().q(b.observations(), b.actions()),
                critic.q2().q(b.observations(), b.actions()), y);
    }

    /** The actor loss and the log-densities of the draws it was taken at. */
    record ActorLoss(NDArray loss, NDArray logProb) {
    }

    /** The actor loss for a given noise {@code eps} [B, A]. */
    ActorLoss actorLoss(Batch b, NDArray eps) {
        TanhGaussianActor.Sample s = actor.sample(b.observations(), eps);
        NDArray loss = actorLoss(critic.q1().q(b.observations(), s.action()), critic.q2().q(b.observations(), s.action()),
                s.logProb(), alpha());
        return new ActorLoss(loss, s.logProb());
    }

    NDArray temperatureLoss(NDArray logProb) {
        return temperatureLoss(logAlpha, logProb, targetEntropy);
    }

    private NDArray noiseFor(NDArray observations) {
        return Noise.standardNormal(noise, observations, observations.getShape().get(0), actionDim);
    }

    @Override
    public Map<String, Double> update(Batch b, long step, boolean withMetrics) {
        NDArray y = criticTarget(b, noiseFor(b.nextObservations()));
        NDArray qLoss;
        criticOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            qLoss = criticLoss(b, y);
            tape.backward(qLoss);
        }
        criticOptimizer.step();

        NDArray eps = noiseFor(b.observations());
        ActorLoss pi;
        actorOptimizer.zeroGradients(); // the critics' gradients from this backward are cleared before their next update
        try (Torch.Tape tape = new Torch.Tape()) {
            pi = actorLoss(b, eps);
            tape.backward(pi.loss());
        }
        actorOptimizer.step();

        NDArray logProb = pi.logProb().stopGradient();
        NDArray alphaLoss;
        alphaOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            alphaLoss = temperatureLoss(logProb);
            tape.backward(alphaLoss);
        }
        alphaOptimizer.step();
        critic.softUpdate(config.polyak());

        if (!withMetrics) {
            return Map.of();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("critic_loss", Torch.scalar(qLoss));
        m.put("actor_loss", Torch.scalar(pi.loss()));
        m.put("alpha_loss", Torch.scalar(alphaLoss));
        m.put("alpha", Torch.scalar(alpha()));
        m.put("entropy", -Torch.scalar(logProb.mean()));
        m.put("target_q_mean", Torch.scalar(y.mean()));
        return m;
    }

    @Override
    public NDArray act(NDArray observations) {
        return actor.mean(observations);
    }

    /** A draw {@code tanh(mu(s) + sigma(s) eps)} from the policy. */
    @Override
    public NDArray explore(NDArray observations, Rng rng) {
        return actor.sample(observations, Noise.standardNormal(rng, observations, observations.getShape().get(0), actionDim))
                .action();
    }

    /** The live tensors (weights, targets and the temperature), by checkpoint name. */
    private Map<String, NDArray> weights() {
        Map<String, NDArray> w = Module.prefixed("actor", actor, "q1", critic.q1(), "q2", critic.q2(),
                "q1_target", critic.q1Target(), "q2_target", critic.q2Target());
        w.put("log_alpha", logAlpha);
        return w;
    }

    /** The optimisers, by checkpoint name ({@code optim.<name>.*}). */
    private Map<String, Adam> optimizers() {
        return StateIo.named("critic", criticOptimizer, "actor", actorOptimizer, "alpha", alphaOptimizer);
    }

    @Override
    public Map<String, NDArray> stateTensors(NDManager scratch) {
        return StateIo.tensors(weights(), optimizers(), scratch);
    }

    @Override
    public Map<String, String> stateMetadata() {
        Map<String, String> m = StateIo.metadata(optimizers());
        Checkpoint.putRng(m, "sac.policy-noise", noise);
        return m;
    }

    @Override
    public void loadState(Checkpoint c) {
        StateIo.load(c, weights(), optimizers());
        c.restoreRng("sac.policy-noise", noise);
    }
}
