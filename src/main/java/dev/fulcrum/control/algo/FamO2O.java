package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.nets.BalanceModel;
import dev.fulcrum.control.nets.GaussianActor;
import dev.fulcrum.control.nets.TwinCritic;
import dev.fulcrum.control.nets.ValueNetwork;
import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FamO2O on IQL (Wang, Zhang et al., "Train Once, Get a Family: State-Adaptive Balances for Offline-to-Online
 * Reinforcement Learning", NeurIPS 2023). IQL's balance, the AWR inverse temperature {@code beta}, becomes an input of a
 * universal actor {@code pi_u(a | s, beta)} and a per-state choice of a balance model {@code pi_b(beta | s)}
 * ({@link BalanceModel}); the offline phase trains the whole family of policies at once, the online phase lets each state
 * pick its own balance.
 *
 * <p>Signal: the advantage {@code A = min_i Q'_i(s,a) - V(s)}. Anchor: the buffer's actions. Balance: {@code beta ~ pi_b(.|s)}.
 * One step ({@code e(beta)} the sinusoidal encoding of {@link #encodeCoefficient}, {@code [s, e]} concatenation):
 * <pre>
 *   L_V   = E[ |tau - 1(u < 0)| u^2 ],  u = min_i Q'_i(s,a) - V(s)                        (IQL eq. 5, unchanged)
 *   L_Q   = E[ (r + gamma (1 - d) V(s') - Q_i(s,a))^2 ],  i = 1, 2                         (IQL eq. 6, unchanged)
 *   L_b   = E[ alpha_b log pi_b(z|s) - min_i Q'_i(s, a~) ],  beta = map(z), z ~ pi_b(.|s),
 *           a~ = mu_u([s, e(beta)]) + sigma_u eps  with pi_u frozen (gradient reaches pi_b through beta only)   (balance model)
 *   L_alpha = alpha_b (H_b - H_target),  H_b = -E[log pi_b(z|s)] held constant,  H_target = -0.5
 *   L_u   = -E[ min(exp(beta A), 100) log pi_u(a | [s, e(beta)]) ],
 *           beta ~ U[lo, hi] per sample in the offline phase, beta ~ pi_b(.|s) (no gradient) online   (universal actor)
 *   Q'   <- (1 - tau_polyak) Q' + tau_polyak Q
 * </pre>
 * Acting online: {@code beta = mode of pi_b(.|s)}, then a draw {@code clip(mu_u + sigma_u eps, -1, 1)} of the universal
 * actor; evaluation uses both means.
 *
 * <p>Taken from the authors' code (LeapLabTHU/FamO2O, jax_iql): the encoding {@code sin/cos(beta / n^(2i/d))} with d = 6,
 * n = 10000, sines in even and cosines in odd columns (family_utils.py); the balance model's form and its state-independent
 * log std (family_learner.py); the balance loss against the <em>target</em> critics with an unclipped actor draw, and the
 * temperature loss {@code alpha (H - H_target)} on {@code alpha} itself, not {@code log alpha} (family_actor.py,
 * family_temperature.py); target entropy -1/2, initial temperature 1, balance lr = actor lr without the cosine decay;
 * the balance model and its temperature are trained from the first offline step, while the actor's coefficients are
 * uniform offline and drawn from {@code pi_b} online ({@code random_hierarchical_coefficients = i < 1} in
 * family_train_finetune.py); ranges (1, 5) for locomotion, (8, 14) for AntMaze. The universal actor is IQL's
 * {@link GaussianActor} (tanh mean, state-independent log std clamped to [-5, 2]), as in the code.
 *
 * <p>Resolved differences: the code updates V first and then computes the actor's advantage and the Q target with the
 * new V (the JAX IQL order); here IQL's V and Q updates are exactly those of {@link Iql} (advantage and {@code V(s')}
 * read before V changes, as CORL does), so that IQL and IQL+FamO2O differ only in the FamO2O parts. The balance draw and
 * the actor draw in the code share one PRNG key; here they take independent noise from the algorithm's own stream.
 * {@code balanceFromStep} (default 1, the code's choice) lets the balance model start later.
 */
public final class FamO2O implements OnlineAlgorithm {

    /**
     * FamO2O's own hyper-parameters; IQL's (expectile, learning rates, networks, cosine schedule) come from {@link Iql.Config},
     * whose {@code beta} is replaced by the coefficient range.
     *
     * @param coefficientMin    lower end of the balance coefficient range (the AWR inverse temperature)
     * @param coefficientMax    upper end
     * @param encodingDims      size of the sinusoidal encoding (even)
     * @param encodingBase      the encoding's base n in {@code beta / n^(2i/d)}
     * @param balanceLr         Adam learning rate of the balance model
     * @param temperatureLr     Adam learning rate of the balance temperature
     * @param initialTemperature initial balance temperature alpha_b
     * @param targetEntropy     entropy target of the balance model
     * @param balanceFromStep   first gradient step at which the balance model and its temperature train
     */
    public record Config(double coefficientMin, double coefficientMax, int encodingDims, double encodingBase, double balanceLr,
                         double temperatureLr, double initialTemperature, double targetEntropy, long balanceFromStep) {
        /** The code's locomotion settings: range (1, 5), d 6, n 10000, learning rates 3e-4, alpha_b 1, target entropy -0.5. */
        public static Config defaults() {
            return new Config(1.0, 5.0, 6, 10000.0, 3e-4, 3e-4, 1.0, -0.5, 1);
        }

        public Config {
            Checks.positive("famo2o.coefficientMin", coefficientMin);
            if (!(coefficientMax > coefficientMin)) {
                throw new ConfigException("famo2o.coefficientMax", "must exceed coefficientMin (" + coefficientMin
                        + "), got " + coefficientMax);
            }
            Checks.positive("famo2o.encodingDims", encodingDims);
            if (encodingDims % 2 != 0) {
                throw new ConfigException("famo2o.encodingDims", "must be even (sine and cosine pairs), got " + encodingDims);
            }
            Checks.positive("famo2o.encodingBase", encodingBase);
            Checks.positive("famo2o.balanceLr", balanceLr);
            Checks.positive("famo2o.temperatureLr", temperatureLr);
            Checks.positive("famo2o.initialTemperature", initialTemperature);
            Checks.positive("famo2o.balanceFromStep", balanceFromStep);
        }
    }

    private final Iql.Config iql;
    private final Config config;
    private final long totalSteps;
    private final long offlineSteps;
    private final Rng noise;
    private final int actionDim;
    final TwinCritic critic;
    final ValueNetwork value;
    final GaussianActor actor;
    final BalanceModel balance;
    final NDArray logTemperature;
    private final Adam qOptimizer, valueOptimizer, actorOptimizer, balanceOptimizer, temperatureOptimizer;

    /**
     * @param totalSteps   gradient steps of the whole run (the actor's cosine schedule)
     * @param offlineSteps gradient steps {@code 1..offlineSteps} are the offline phase (uniform coefficients); later steps
     *                     draw the actor's coefficients from the balance model. Offline-only training passes its step count.
     */
    public FamO2O(NDManager manager, int observationDim, int actionDim, Iql.Config iql, Config config, long totalSteps,
                  long offlineSteps, DataType dtype, Rng rng) {
        this.iql = iql;
        this.config = config;
        this.totalSteps = totalSteps;
        this.offlineSteps = offlineSteps;
        this.actionDim = actionDim;
        this.noise = rng.split("famo2o-noise");
        int[] hidden = Checks.hidden(iql.hiddenSize(), iql.hiddenLayers());
        Rng init = rng.split("init");
        critic = new TwinCritic(manager, observationDim, actionDim, hidden, dtype, init);
        value = new ValueNetwork(manager, observationDim, hidden, dtype, init);
        actor = new GaussianActor(manager, observationDim + config.encodingDims(), actionDim, hidden, dtype, init);
        balance = new BalanceModel(manager, observationDim, hidden, config.coefficientMin(), config.coefficientMax(), dtype, init);
        double logT = Math.log(config.initialTemperature());
        logTemperature = dtype == DataType.FLOAT64 ? manager.create(new double[] {logT}, new Shape(1))
                : manager.create(new float[] {(float) logT}, new Shape(1));
        logTemperature.setRequiresGradient(true);
        qOptimizer = new Adam(manager, critic.parameters(), iql.criticLr());
        valueOptimizer = new Adam(manager, value.parameters(), iql.valueLr());
        actorOptimizer = new Adam(manager, actor.parameters(), iql.actorLr());
        balanceOptimizer = new Adam(manager, balance.parameters(), config.balanceLr());
        temperatureOptimizer = new Adam(manager, Map.of("log_temperature", logTemperature), config.temperatureLr());
    }

    @Override
    public String name() {
        return "famo2o";
    }

    /**
     * The sinusoidal encoding of coefficients {@code beta} [B] as [B, d]: column {@code 2i} is {@code sin(beta / n^(2i/d))},
     * column {@code 2i + 1} is {@code cos(beta / n^(2i/d))}, {@code i = 0 .. d/2 - 1} (the code's sin_cos_skill_func).
     */
    public static NDArray encodeCoefficient(NDArray beta, int d, double base) {
        int half = d / 2;
        double[] inverseFrequencies = new double[half];
        for (int i = 0; i < half; i++) {
            inverseFrequencies[i] = 1.0 / Math.pow(base, 2.0 * i / d);
        }
        NDArray freq = beta.getManager().create(inverseFrequencies, new Shape(1, half)).toType(beta.getDataType(), false);
        NDArray inner = beta.reshape(-1, 1).mul(freq); // [B, d/2]
        return NDArrays.stack(new ai.djl.ndarray.NDList(inner.sin(), inner.cos()), 2).reshape(-1, d);
    }

    /** The universal actor's input {@code [s, e(beta)]}. */
    NDArray actorInput(NDArray observations, NDArray beta) {
        return observations.concat(encodeCoefficient(beta, config.encodingDims(), config.encodingBase()), 1);
    }

    /** AWR weights with a per-sample coefficient: {@code min(exp(beta A), maxWeight)}, without gradient. */
    public static NDArray familyWeights(NDArray advantage, NDArray beta, double maxWeight) {
        return NDArrays.minimum(advantage.stopGradient().mul(beta.stopGradient()).exp(), Scalars.of(advantage, maxWeight));
    }

    /** The universal actor's AWR loss {@code -mean(min(exp(beta A), 100) log pi_u(a | [s, e(beta)]))}. */
    NDArray actorLoss(Batch b, NDArray advantage, NDArray beta) {
        NDArray weights = familyWeights(advantage, beta, iql.maxWeight());
        return Iql.awrLoss(weights, actor.logProb(actorInput(b.observations(), beta), b.actions()));
    }

    /** The balance loss and the log-densities of its draws. */
    record BalanceLoss(NDArray loss, NDArray logProb, NDArray coefficient) {
    }

    /** {@code mean(alpha_b log pi_b(z|s) - min_i Q'_i(s, mu_u([s, e(beta)]) + sigma_u epsAction))} for fixed noises. */
    BalanceLoss balanceLoss(NDArray observations, NDArray epsBalance, NDArray epsAction) {
        BalanceModel.Sample s = balance.sample(observations, epsBalance);
        NDArray input = actorInput(observations, s.coefficient());
        NDArray action = actor.mean(input).add(epsAction.mul(actor.std().stopGradient()));
        // the same form as SAC's actor loss, with pi_b's draw in place of the action's
        NDArray loss = Sac.actorLoss(critic.q1Target().q(observations, action),
                critic.q2Target().q(observations, action), s.logProb(),
                temperature());
        return new BalanceLoss(loss, s.logProb(), s.coefficient());
    }

    /** {@code alpha_b (H_b - H_target)} with the entropy estimate {@code H_b = -mean(log pi_b)} held constant. */
    public static NDArray temperatureLoss(NDArray logTemperature, NDArray logProb, double targetEntropy) {
        NDArray entropy = logProb.stopGradient().mean().neg();
        return logTemperature.exp().mul(entropy.sub(Scalars.of(entropy, targetEntropy))).sum();
    }

    NDArray temperatureLoss(NDArray logProb) {
        return temperatureLoss(logTemperature, logProb, config.targetEntropy());
    }

    /** The balance temperature {@code alpha_b} as a constant of the step. */
    NDArray temperature() {
        return logTemperature.stopGradient().exp();
    }

    /** The coefficients the balance model picks for normalised observations [B, S] (its mode), shape [B]. */
    public NDArray coefficients(NDArray observations) {
        return balance.mode(observations);
    }

    private NDArray gaussian(NDArray like, long rows, int columns) {
        return Noise.standardNormal(noise, like, rows, columns);
    }

    private NDArray uniformCoefficients(NDArray like, long rows) {
        double[] beta = new double[Math.toIntExact(rows)];
        for (int i = 0; i < beta.length; i++) {
            beta[i] = noise.uniform(config.coefficientMin(), config.coefficientMax());
        }
        return like.getManager().create(beta, new Shape(rows)).toType(like.getDataType(), false);
    }

    /** What one balance step computed: the balance loss (with its draws) and the temperature loss. */
    record BalanceStep(BalanceLoss loss, NDArray temperatureLoss) {
    }

    /**
     * One Adam step of the balance model on {@code L_b}, then one of the temperature on {@code L_alpha}. The backward of
     * {@code L_b} also reaches the actor's parameters (beta's gradient flows through the actor), but only the balance
     * model's optimiser steps, and the actor's gradients are zeroed before its own update.
     */
    BalanceStep balanceStep(NDArray observations) {
        long rows = observations.getShape().get(0);
        NDArray epsBalance = gaussian(observations, rows, 1);
        NDArray epsAction = gaussian(observations, rows, actionDim);
        BalanceLoss loss;
        balanceOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            loss = balanceLoss(observations, epsBalance, epsAction);
            tape.backward(loss.loss());
        }
        balanceOptimizer.step();
        NDArray alphaLoss;
        temperatureOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            alphaLoss = temperatureLoss(loss.logProb());
            tape.backward(alphaLoss);
        }
        temperatureOptimizer.step();
        return new BalanceStep(loss, alphaLoss);
    }

    @Override
    public Map<String, Double> update(Batch b, long step, boolean withMetrics) {
        if (iql.cosineActorSchedule()) {
            actorOptimizer.setLearningRate(iql.actorLr() * 0.5 * (1 + Math.cos(Math.PI * Math.min(step, totalSteps) / totalSteps)));
        }
        long rows = b.observations().getShape().get(0);
        NDArray nextV = value.v(b.nextObservations()).stopGradient();
        NDArray targetQ = critic.targetMin(b.observations(), b.actions());

        NDArray vLoss, advantage;
        valueOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            NDArray v = value.v(b.observations());
            vLoss = Iql.expectileLoss(targetQ.sub(v), iql.expectile());
            advantage = targetQ.sub(v).stopGradient();
            tape.backward(vLoss);
        }
        valueOptimizer.step();

        BalanceStep bal = step >= config.balanceFromStep() ? balanceStep(b.observations()) : null;

        NDArray beta = step <= offlineSteps ? uniformCoefficients(b.observations(), rows)
                : balance.sample(b.observations(), gaussian(b.observations(), rows, 1)).coefficient().stopGradient();
        NDArray piLoss;
        actorOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            piLoss = actorLoss(b, advantage, beta);
            tape.backward(piLoss);
        }
        actorOptimizer.step();

        NDArray qLoss;
        qOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            NDArray target = TemporalDifference.target(b.rewards(), b.dones(), nextV, iql.discount());
            qLoss = TemporalDifference.twinLoss(critic.q1().q(b.observations(), b.actions()),
                critic.q2().q(b.observations(), b.actions()), target);
            tape.backward(qLoss);
        }
        qOptimizer.step();
        critic.softUpdate(iql.polyak());

        if (!withMetrics) {
            return Map.of();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("value_loss", Torch.scalar(vLoss));
        m.put("q_loss", Torch.scalar(qLoss));
        m.put("actor_loss", Torch.scalar(piLoss));
        m.put("advantage_mean", Torch.scalar(advantage.mean()));
        m.put("actor_coefficient_mean", Torch.scalar(beta.mean()));
        if (bal != null) {
            m.put("balance_loss", Torch.scalar(bal.loss().loss()));
            m.put("balance_entropy", -Torch.scalar(bal.loss().logProb().mean()));
            m.put("balance_temperature", Torch.scalar(temperature()));
            m.put("balance_coefficient_mean", Torch.scalar(bal.loss().coefficient().mean()));
        }
        return m;
    }

    @Override
    public NDArray act(NDArray observations) {
        return actor.mean(actorInput(observations, balance.mode(observations)));
    }

    /** The code's online action: the balance model's mode {@code beta(s)}, then a draw {@code clip(mu_u + sigma_u eps, -1, 1)}. */
    @Override
    public NDArray explore(NDArray observations, Rng rng) {
        return actor.sample(actorInput(observations, balance.mode(observations)),
                Noise.standardNormal(rng, observations, observations.getShape().get(0), actionDim));
    }

    private Map<String, NDArray> weights() {
        Map<String, NDArray> w = Module.prefixed("q1", critic.q1(), "q2", critic.q2(), "q1_target", critic.q1Target(),
                "q2_target", critic.q2Target(),
                "value", value, "actor", actor);
        balance.parameters().forEach((k, v) -> w.put("balance." + k, v));
        w.put("log_temperature", logTemperature);
        return w;
    }

    /** The optimisers, by checkpoint name ({@code optim.<name>.*}). */
    private Map<String, Adam> optimizers() {
        return StateIo.named("q", qOptimizer, "value", valueOptimizer, "actor", actorOptimizer, "balance", balanceOptimizer, "temperature", temperatureOptimizer);
    }

    @Override
    public Map<String, NDArray> stateTensors(NDManager scratch) {
        return StateIo.tensors(weights(), optimizers(), scratch);
    }

    @Override
    public Map<String, String> stateMetadata() {
        Map<String, String> m = StateIo.metadata(optimizers());
        Checkpoint.putRng(m, "famo2o.noise", noise);
        return m;
    }

    @Override
    public void loadState(Checkpoint c) {
        StateIo.load(c, weights(), optimizers());
        c.restoreRng("famo2o.noise", noise);
    }
}
