package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.nets.ActionVae;
import dev.fulcrum.control.nets.DeterministicActor;
import dev.fulcrum.control.nets.QNetwork;
import dev.fulcrum.control.nets.TwinCritic;
import dev.fulcrum.control.nets.ValueNetwork;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A2PR, Adaptive Advantage-guided Policy Regularization (Liu, Li, Lan, Gao, Pan and Xu, ICML 2024, arXiv:2405.19909).
 *
 * <p>Signal: the critic {@code Q1(s, pi(s))}, as in TD3+BC. Anchor: per state, whichever of the dataset action and the
 * VAE's reconstruction of the policy's action has the higher advantage, and only where an advantage is positive. Balance:
 * {@code alpha} through {@code lambda = alpha / mean|Q1(s, pi(s))|} (detached), and {@code mask} scaling the anchor. One
 * step, in the order of the authors' code ({@code A2PR.py}, {@code A2PR.train}):
 * <pre>
 *   a'    = clip(pi'(s') + clip(eps, -c, c), -1, 1),  eps ~ N(0, sigma^2)                  (TD3 target smoothing)
 *   y     = r + gamma (1 - d) min_i Q'_i(s', a')                                            (target critics)
 *   L_Q   = sum_i mean((Q_i(s,a) - y)^2)                                                     -> Q_1, Q_2 updated
 *   y_on  = r + gamma (1 - d) min_i Q_i(s', a')                                              (updated critics, same a')
 *   L_V   = mean((V(s) - min(y, y_on))^2)                                                    -> V updated; v = V(s) before
 *   f     = 1(Q1(s,a) > v)                                                                   (the advantage filter)
 *   L_VAE = mean_{b,j}(w_vae f_b (D(s, z) - a)_{bj}^2) + 1/2 KL,  z = mu(s,a) + sigma(s,a) xi     (augmented behaviour policy)
 *           KL = -1/2 mean_{b,l}(1 + log sigma^2 - mu^2 - sigma^2)
 *   every `policyFrequency` steps:
 *   a~    = D(s, mu(s,pi(s)) + sigma(s,pi(s)) xi')                                           (VAE reconstruction of pi(s))
 *   A_pi  = Q1(s, a~) - v,   A_a = Q1(s, a) - v
 *   t     = a~ if A_pi >= A_a else a                                                         (advantage-guided target)
 *   m     = mask * 1(Q1(s, a~) >= v  or  Q1(s, a) > v)                                       (regularisation weight)
 *   L_pi  = -lambda mean(Q1(s, pi(s))) + mean_{b,j}(m_b (pi(s) - t)_{bj}^2)
 *   Q', pi' <- Polyak averages
 * </pre>
 * The paper calls the VAE trained on positive-advantage samples the augmented behaviour policy (Sec. 4, "elevating
 * positive behavior learning") and the choice of {@code t} with its mask the adaptive advantage-guided policy
 * regularisation (Sec. 4). The paper's equation numbers are not cited: only its abstract and third-party summaries were
 * reachable while this was written, so the mathematics above is transcribed from the code and the paper is cited by
 * section.
 *
 * <p>What was taken from where (official code, github.com/ltlhuuu/A2PR: {@code A2PR.py}, {@code core/network/actor.py},
 * {@code core/network/critic.py}, {@code utils/config.py}, {@code README.md}):
 * <ul>
 *   <li>Networks: actor 3x256 ReLU, tanh output ({@code A2PR_Actor}); twin critics and V 4x256 ReLU ({@code Critic},
 *       {@code Value}); VAE encoder and decoder 750-750 ReLU, latent {@code 2|A|}, log sigma clamped to [-4, 15],
 *       tanh decoder output. Adam: actor, critics and V at 3e-4, the VAE at PyTorch's default 1e-3.</li>
 *   <li>V's target is the minimum of the target-critic TD target and the same target recomputed with the just-updated
 *       critics (the code's {@code t_Q = min(targ_Q, target_Q)}); the V used by the filter and the actor is V's output
 *       before its own update, and Q1 is the updated critic.</li>
 *   <li>The advantage filter multiplies only the reconstruction term; the KL term (weight 1/2, mean over batch and latent)
 *       covers every sample, as in the code. Summaries of the paper write the filter {@code 1(A(s,a) > eps_A)} with a
 *       threshold {@code eps_A}; the code's threshold is 0 and its {@code mask} hyper-parameter instead scales the
 *       actor's regulariser. We follow the code: threshold 0, {@code mask} a multiplier.</li>
 *   <li>The mask: the code adds two boolean tensors, {@code (Q1(s,a~) >= V) + (Q1(s,a) > V)}; PyTorch's sum of booleans
 *       is a logical or (verified with torch 1.13: True + True = True), so the weight is {@code mask} or 0, never
 *       {@code 2 mask}. We reproduce the or. Ties: {@code a~} wins when {@code A_pi == A_a}; {@code Q1(s,a~) == V} counts as
 *       positive, {@code Q1(s,a) == V} does not.</li>
 *   <li>The reconstruction {@code a~} is not detached in the code, so the regulariser's gradient also flows through the
 *       VAE (encoder and decoder) back into {@code pi(s)}; we follow the code. The VAE's and the critic's parameters are
 *       not changed by the actor step (only the actor's optimiser steps, as in the code).</li>
 *   <li>Defaults: alpha 2.5, vae_weight 1.0, discount 0.99, tau 0.005, policy noise 0.2, noise clip 0.5, policy
 *       frequency 2 ({@code utils/config.py}); mask 1.0, the {@code A2PR} class default and the README's value for
 *       halfcheetah and walker2d (the argparse default is 0.5; the README uses 0.4 on hopper, and alpha 40 on
 *       halfcheetah). The authors' code does not rescale rewards; our trainer's reward shaping ({@code rewardShaping})
 *       applies to every algorithm alike.</li>
 *   <li>Randomness: the target noise {@code eps} and the VAE noises {@code xi}, {@code xi'} come from our {@link Rng}
 *       (streams "target-noise" and "vae-noise"), so runs resume bit-for-bit.</li>
 * </ul>
 */
public final class A2pr implements OfflineAlgorithm {

    /** Weight of the KL term in the VAE loss, fixed in the authors' code. */
    public static final double KL_WEIGHT = 0.5;

    /** Hyper-parameters; the defaults are the authors' (see the class comment). */
    public record Config(double alpha, double mask, double vaeWeight, double discount, double polyak, double policyNoise,
                         double noiseClip, int policyFrequency, double actorLr, double criticLr, double valueLr, double vaeLr,
                         int hiddenSize, int actorHiddenLayers, int criticHiddenLayers, int vaeHiddenSize) {
        public static Config defaults() {
            return new Config(2.5, 1.0, 1.0, 0.99, 0.005, 0.2, 0.5, 2, 3e-4, 3e-4, 3e-4, 1e-3, 256, 3, 4, 750);
        }

        public Config {
            Checks.positive("a2pr.alpha", alpha);
            Checks.positive("a2pr.mask", mask);
            Checks.positive("a2pr.vaeWeight", vaeWeight);
            Checks.inUnit("a2pr.discount", discount);
            Checks.inUnit("a2pr.polyak", polyak);
            Checks.positive("a2pr.policyNoise", policyNoise);
            Checks.positive("a2pr.noiseClip", noiseClip);
            Checks.positive("a2pr.policyFrequency", policyFrequency);
            Checks.positive("a2pr.actorLr", actorLr);
            Checks.positive("a2pr.criticLr", criticLr);
            Checks.positive("a2pr.valueLr", valueLr);
            Checks.positive("a2pr.vaeLr", vaeLr);
            Checks.positive("a2pr.hiddenSize", hiddenSize);
            Checks.positive("a2pr.actorHiddenLayers", actorHiddenLayers);
            Checks.positive("a2pr.criticHiddenLayers", criticHiddenLayers);
            Checks.positive("a2pr.vaeHiddenSize", vaeHiddenSize);
        }
    }

    /**
     * The actor's loss and what it was made of: the regularisation {@code target} per row, {@code usesReconstruction}
     * (1 where the target is the VAE reconstruction), the per-row {@code weight} {@code m_b}, and {@code lambda}.
     */
    record ActorTerms(NDArray loss, NDArray regulariser, NDArray lambda, NDArray target, NDArray usesReconstruction,
                      NDArray weight) {
    }

    private final Config config;
    private final Rng targetNoise;
    private final Rng vaeNoise;
    private final int actionDim;
    final TwinCritic critic;
    final ValueNetwork value;
    final DeterministicActor actor, actorTarget;
    final ActionVae vae;
    private final Adam criticOptimizer, valueOptimizer, vaeOptimizer, actorOptimizer;

    public A2pr(NDManager manager, int observationDim, int actionDim, Config config, DataType dtype, Rng rng) {
        this.config = config;
        this.actionDim = actionDim;
        this.targetNoise = rng.split("target-noise");
        this.vaeNoise = rng.split("vae-noise");
        int[] actorHidden = Checks.hidden(config.hiddenSize(), config.actorHiddenLayers());
        int[] criticHidden = Checks.hidden(config.hiddenSize(), config.criticHiddenLayers());
        Rng init = rng.split("init");
        actor = new DeterministicActor(manager, observationDim, actionDim, actorHidden, dtype, init);
        critic = new TwinCritic(manager, observationDim, actionDim, criticHidden, dtype, init);
        value = new ValueNetwork(manager, observationDim, criticHidden, dtype, init);
        vae = new ActionVae(manager, observationDim, actionDim, 2 * actionDim, config.vaeHiddenSize(), dtype, init);
        actorTarget = new DeterministicActor(manager, observationDim, actionDim, actorHidden, dtype, init);
        actorTarget.copyFrom(actor);
        actorTarget.requireGradients(false);
        criticOptimizer = new Adam(manager, critic.parameters(), config.criticLr());
        valueOptimizer = new Adam(manager, value.parameters(), config.valueLr());
        vaeOptimizer = new Adam(manager, vae.parameters(), config.vaeLr());
        actorOptimizer = new Adam(manager, actor.parameters(), config.actorLr());
    }

    @Override
    public String name() {
        return "a2pr";
    }

    // ---- the mathematics, as functions of tensors (checked against PyTorch fixtures) ----

    /** V's regression target {@code min(y, y_on)}, without gradient. */
    public static NDArray valueTarget(NDArray targetCriticTd, NDArray onlineCriticTd) {
        return NDArrays.minimum(targetCriticTd, onlineCriticTd).stopGradient();
    }

    /** {@code mean((V(s) - target)^2)}. */
    public static NDArray valueLoss(NDArray v, NDArray target) {
        return v.sub(target).square().mean();
    }

    /** The advantage filter {@code 1(Q1(s,a) > V(s))} as 0/1 values of {@code q}'s type, shape [B]. */
    public static NDArray advantageFilter(NDArray qData, NDArray v) {
        return qData.gt(v).toType(qData.getDataType(), false);
    }

    /**
     * The VAE loss: the advantage-filtered reconstruction error plus {@link #KL_WEIGHT} times the KL divergence of
     * {@code N(mu, sigma^2)} from {@code N(0, I)}, both averaged over every element:
     * {@code mean(w f (recon - a)^2) - 1/4 mean(1 + 2 log sigma - mu^2 - sigma^2)}. {@code logStd} is the clamped one.
     */
    public static NDArray vaeLoss(NDArray reconstruction, NDArray actions, NDArray mean, NDArray logStd, NDArray filter,
                                  double vaeWeight) {
        NDArray rowWeight = filter.mul(Scalars.of(filter, vaeWeight)).expandDims(1);
        NDArray reconstructionTerm = reconstruction.sub(actions).square().mul(rowWeight).mean();
        return reconstructionTerm.add(klDivergence(mean, logStd).mul(Scalars.of(mean, KL_WEIGHT)));
    }

    /** {@code KL = -1/2 mean(1 + log sigma^2 - mu^2 - sigma^2)} over batch and latent dimensions. */
    public static NDArray klDivergence(NDArray mean, NDArray logStd) {
        NDArray twoLogStd = logStd.mul(Scalars.of(logStd, 2));
        return Scalars.of(mean, 1).add(twoLogStd).sub(mean.square()).sub(twoLogStd.exp()).mean()
                .mul(Scalars.of(mean, -0.5));
    }

    /** 1 where the VAE reconstruction is the target ({@code A_pi >= A_a}), else 0; shape [B]. */
    public static NDArray reconstructionChosen(NDArray advantageReconstruction, NDArray advantageData) {
        return advantageReconstruction.gte(advantageData).toType(advantageData.getDataType(), false);
    }

    /**
     * The advantage-guided target {@code t = a~ 1(A_pi >= A_a) + a 1(A_a > A_pi)}, row by row, shape [B, A]; gradient
     * flows through {@code reconstruction} where it is chosen.
     */
    public static NDArray targetAction(NDArray reconstruction, NDArray datasetActions, NDArray advantageReconstruction,
                                       NDArray advantageData) {
        NDArray chooseReconstruction = reconstructionChosen(advantageReconstruction, advantageData).expandDims(1);
        NDArray chooseData = advantageData.gt(advantageReconstruction).toType(advantageData.getDataType(), false).expandDims(1);
        return reconstruction.mul(chooseReconstruction).add(datasetActions.mul(chooseData));
    }

    /** The regularisation weight {@code mask * 1(Q1(s,a~) >= V or Q1(s,a) > V)}, shape [B], no gradient. */
    public static NDArray regularisationWeight(NDArray qReconstruction, NDArray qData, NDArray v, double mask) {
        NDArray positive = qReconstruction.gte(v).logicalOr(qData.gt(v));
        return positive.toType(qData.getDataType(), false).mul(Scalars.of(qData, mask)).stopGradient();
    }

    /** {@code mean_{b,j}(m_b (pi - t)_{bj}^2)}. */
    public static NDArray regulariser(NDArray pi, NDArray target, NDArray weight) {
        return pi.sub(target).square().mul(weight.expandDims(1)).mean();
    }

    /** {@code L_pi = -lambda mean(Q1(s, pi(s))) + regulariser}. */
    public static NDArray actorLoss(NDArray qPi, NDArray regulariser, NDArray lambda) {
        return qPi.mean().mul(lambda).neg().add(regulariser);
    }

    // ---- the networks' parts of the step ----

    /** TD3's smoothed next action {@code clip(pi'(s') + clip(eps, -c, c), -1, 1)}. */
    NDArray smoothedNextAction(Batch b, NDArray eps) {
        return actorTarget.act(b.nextObservations()).add(eps.clip(-config.noiseClip(), config.noiseClip())).clip(-1, 1);
    }

    /** {@code r + gamma (1 - d) min(Q_1, Q_2)(s', a')} with the given pair of critics; no gradient. */
    NDArray tdTarget(Batch b, NDArray nextAction, QNetwork first, QNetwork second) {
        NDArray nextQ = NDArrays.minimum(first.q(b.nextObservations(), nextAction), second.q(b.nextObservations(), nextAction));
        return TemporalDifference.target(b.rewards(), b.dones(), nextQ.stopGradient(), config.discount());
    }

    NDArray criticLoss(Batch b, NDArray y) {
        return TemporalDifference.twinLoss(critic.q1().q(b.observations(), b.actions()),
                critic.q2().q(b.observations(), b.actions()), y);
    }

    NDArray valueLoss(Batch b, NDArray target) {
        return valueLoss(value.v(b.observations()), target);
    }

    NDArray vaeLoss(Batch b, NDArray filter, NDArray noise) {
        ActionVae.Pass p = vae.forward(b.observations(), b.actions(), noise);
        return vaeLoss(p.reconstruction(), b.actions(), p.mean(), p.logStd(), filter, config.vaeWeight());
    }

    /**
     * The actor's loss given V(s) and Q1(s,a) (both constants of the step) and the VAE noise; a non-null
     * {@code fixedLambda} replaces the batch's own (finite differences must hold it fixed, as the update detaches it).
     */
    ActorTerms actorTerms(Batch b, NDArray v, NDArray qData, NDArray noise, NDArray fixedLambda) {
        NDArray pi = actor.act(b.observations());
        NDArray qPi = critic.q1().q(b.observations(), pi);
        NDArray lambda = fixedLambda != null ? fixedLambda : Td3Bc.lambda(qPi, config.alpha());
        NDArray reconstruction = vae.forward(b.observations(), pi, noise).reconstruction();
        NDArray qReconstruction = critic.q1().q(b.observations(), reconstruction.stopGradient()).stopGradient();
        NDArray advantageReconstruction = qReconstruction.sub(v);
        NDArray advantageData = qData.sub(v);
        NDArray target = targetAction(reconstruction, b.actions(), advantageReconstruction, advantageData);
        NDArray weight = regularisationWeight(qReconstruction, qData, v, config.mask());
        NDArray reg = regulariser(pi, target, weight);
        return new ActorTerms(actorLoss(qPi, reg, lambda), reg, lambda, target,
                reconstructionChosen(advantageReconstruction, advantageData), weight);
    }

    NDArray sampleTargetNoise(Batch b) {
        return gaussian(b, targetNoise, actionDim, config.policyNoise());
    }

    NDArray sampleLatentNoise(Batch b) {
        return gaussian(b, vaeNoise, vae.latentDim(), 1.0);
    }

    private static NDArray gaussian(Batch b, Rng rng, int width, double std) {
        float[] values = rng.gaussians((int) b.size() * width, std);
        NDArray e = b.actions().getManager().create(values, new Shape(b.size(), width));
        return e.getDataType() == b.actions().getDataType() ? e : e.toType(b.actions().getDataType(), false);
    }

    @Override
    public Map<String, Double> update(Batch b, long step, boolean withMetrics) {
        NDArray nextAction = smoothedNextAction(b, sampleTargetNoise(b));
        NDArray y = tdTarget(b, nextAction, critic.q1Target(), critic.q2Target());
        NDArray criticLoss;
        criticOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            criticLoss = criticLoss(b, y);
            tape.backward(criticLoss);
        }
        criticOptimizer.step();

        NDArray vTarget = valueTarget(y, tdTarget(b, nextAction, critic.q1(), critic.q2()));
        NDArray v, valueLoss;
        valueOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            NDArray live = value.v(b.observations());
            v = live.stopGradient(); // V(s) before its update: what the filter and the actor compare against
            valueLoss = valueLoss(live, vTarget);
            tape.backward(valueLoss);
        }
        valueOptimizer.step();

        NDArray qData = critic.q1().q(b.observations(), b.actions()); // the updated critic; no tape, no graph
        NDArray filter = advantageFilter(qData, v);
        NDArray vaeLoss;
        vaeOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            vaeLoss = vaeLoss(b, filter, sampleLatentNoise(b));
            tape.backward(vaeLoss);
        }
        vaeOptimizer.step();

        ActorTerms actorTerms = null;
        if (step % config.policyFrequency() == 0) {
            actorOptimizer.zeroGradients();
            // The actor's loss flows through Q1 and the VAE, but only the actor steps: freezing the other two for this
            // backward skips their weight gradients (a third of the VAE's backward cost) and changes no number.
            vae.requireGradients(false);
            critic.q1().requireGradients(false);
            try (Torch.Tape tape = new Torch.Tape()) {
                actorTerms = actorTerms(b, v, qData, sampleLatentNoise(b), null);
                tape.backward(actorTerms.loss());
            } finally {
                vae.requireGradients(true);
                critic.q1().requireGradients(true);
            }
            actorOptimizer.step();
            actorTarget.softUpdateFrom(actor, config.polyak());
            critic.softUpdate(config.polyak());
        }
        if (!withMetrics) {
            return Map.of();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("critic_loss", Torch.scalar(criticLoss));
        m.put("value_loss", Torch.scalar(valueLoss));
        m.put("vae_loss", Torch.scalar(vaeLoss));
        m.put("positive_advantage_fraction", Torch.scalar(filter.mean()));
        m.put("target_q_mean", Torch.scalar(y.mean()));
        if (actorTerms != null) { // the actor updates every policyFrequency steps; its terms are logged when it did
            m.put("actor_loss", Torch.scalar(actorTerms.loss()));
            m.put("regulariser", Torch.scalar(actorTerms.regulariser()));
            m.put("lambda", Torch.scalar(actorTerms.lambda()));
            m.put("vae_target_fraction", Torch.scalar(actorTerms.usesReconstruction().mean()));
            m.put("regularised_fraction", Torch.scalar(actorTerms.weight().gt(Scalars.of(actorTerms.weight(), 0))
                    .toType(actorTerms.weight().getDataType(), false).mean()));
        }
        return m;
    }

    @Override
    public NDArray act(NDArray observations) {
        return actor.act(observations);
    }

    /** The live network tensors (weights and targets), by checkpoint name. */
    private Map<String, NDArray> weights() {
        return Module.prefixed("actor", actor, "actor_target", actorTarget, "q1", critic.q1(), "q2", critic.q2(),
                "q1_target", critic.q1Target(), "q2_target", critic.q2Target(), "value", value, "vae", vae);
    }

    /** The optimisers, by checkpoint name ({@code optim.<name>.*}). */
    private Map<String, Adam> optimizers() {
        return StateIo.named("critic", criticOptimizer, "value", valueOptimizer, "vae", vaeOptimizer, "actor", actorOptimizer);
    }

    @Override
    public Map<String, NDArray> stateTensors(NDManager scratch) {
        return StateIo.tensors(weights(), optimizers(), scratch);
    }

    @Override
    public Map<String, String> stateMetadata() {
        Map<String, String> m = StateIo.metadata(optimizers());
        Checkpoint.putRng(m, "a2pr.target-noise", targetNoise);
        Checkpoint.putRng(m, "a2pr.vae-noise", vaeNoise);
        return m;
    }

    @Override
    public void loadState(Checkpoint c) {
        StateIo.load(c, weights(), optimizers());
        c.restoreRng("a2pr.target-noise", targetNoise);
        c.restoreRng("a2pr.vae-noise", vaeNoise);
    }
}
