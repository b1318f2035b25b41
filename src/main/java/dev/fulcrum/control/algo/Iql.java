package dev.fulcrum.control.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.control.data.Batch;
import dev.fulcrum.control.nets.GaussianActor;
import dev.fulcrum.control.nets.TwinCritic;
import dev.fulcrum.control.nets.ValueNetwork;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.Module;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.nn.SideLane;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Implicit Q-Learning (Kostrikov, Nair and Levine, "Offline Reinforcement Learning with Implicit Q-Learning", 2021).
 *
 * <p>Signal: the advantage {@code A(s,a) = min(Q1', Q2')(s,a) - V(s)}. Anchor: the dataset action (weighted regression
 * never queries Q outside the data). Balance: the inverse temperature {@code beta}. One step, as in the paper (and CORL):
 * <pre>
 *   L_V   = E[ |tau - 1(u < 0)| u^2 ],  u = min_i Q'_i(s,a) - V(s)                              (eq. 5)
 *   L_Q   = E[ (r + gamma (1 - d) V(s') - Q_i(s,a))^2 ]  for i = 1, 2                         (eq. 6)
 *   L_pi  = E[ -min(exp(beta A(s,a)), 100) log pi(a|s) ]                                        (eq. 7, AWR)
 *   Q'   <- (1 - tau_polyak) Q' + tau_polyak Q
 * </pre>
 * {@code V(s')} is read before V's update and the advantage uses V before its update, as the reference code does. The
 * actor's learning rate follows a cosine decay over the run, as in CORL. With a {@link SideLane} the critic update runs
 * on a second core beside the value and actor updates; see {@link #update}.
 */
public final class Iql implements OnlineAlgorithm {

    /** Hyper-parameters; defaults are the paper's locomotion settings (sparse goal tasks: beta 10, expectile 0.9). */
    public record Config(double beta, double expectile, double discount, double polyak, double actorLr, double criticLr,
                         double valueLr, int hiddenSize, int hiddenLayers, boolean cosineActorSchedule, double maxWeight) {
        public static Config defaults() {
            return new Config(3.0, 0.7, 0.99, 0.005, 3e-4, 3e-4, 3e-4, 256, 2, true, 100.0);
        }

        public Config {
            Checks.positive("iql.beta", beta);
            Checks.inOpenUnit("iql.expectile", expectile);
            Checks.inUnit("iql.discount", discount);
            Checks.inUnit("iql.polyak", polyak);
            Checks.positive("iql.actorLr", actorLr);
            Checks.positive("iql.criticLr", criticLr);
            Checks.positive("iql.valueLr", valueLr);
            Checks.positive("iql.hiddenSize", hiddenSize);
            Checks.positive("iql.hiddenLayers", hiddenLayers);
            Checks.positive("iql.maxWeight", maxWeight);
        }
    }

    private final Config config;
    private final long totalSteps;
    final TwinCritic critic;
    final ValueNetwork value;
    final GaussianActor actor;
    private final Adam qOptimizer, valueOptimizer, actorOptimizer;
    private SideLane lane;

    public Iql(NDManager manager, int observationDim, int actionDim, Config config, long totalSteps, DataType dtype, Rng rng) {
        this.config = config;
        this.totalSteps = totalSteps;
        int[] hidden = Checks.hidden(config.hiddenSize(), config.hiddenLayers());
        Rng init = rng.split("init");
        critic = new TwinCritic(manager, observationDim, actionDim, hidden, dtype, init);
        value = new ValueNetwork(manager, observationDim, hidden, dtype, init);
        actor = new GaussianActor(manager, observationDim, actionDim, hidden, dtype, init);
        qOptimizer = new Adam(manager, critic.parameters(), config.criticLr());
        valueOptimizer = new Adam(manager, value.parameters(), config.valueLr());
        actorOptimizer = new Adam(manager, actor.parameters(), config.actorLr());
    }

    @Override
    public String name() {
        return "iql";
    }

    /** Expectile regression {@code mean(|tau - 1(u<0)| u^2)} (eq. 5); {@code u = target - prediction}. */
    public static NDArray expectileLoss(NDArray u, double tau) {
        // weight = tau where u >= 0 and 1 - tau where u < 0
        NDArray weight = u.lt(Scalars.of(u, 0)).toType(u.getDataType(), false).mul(Scalars.of(u, 1 - 2 * tau))
                .add(Scalars.of(u, tau));
        return weight.mul(u.square()).mean();
    }

    /** AWR weights {@code min(exp(beta * A), maxWeight)}, without gradient. */
    public static NDArray advantageWeights(NDArray advantage, double beta, double maxWeight) {
        return NDArrays.minimum(advantage.stopGradient().mul(Scalars.of(advantage, beta)).exp(),
                Scalars.of(advantage, maxWeight));
    }

    /** The minimum of the two target critics at the dataset actions (no gradient). */
    NDArray targetQ(Batch b) {
        return critic.targetMin(b.observations(), b.actions());
    }

    NDArray valueLoss(NDArray targetQ, NDArray v) {
        return expectileLoss(targetQ.sub(v), config.expectile());
    }

    /** Advantage-weighted regression (eq. 7): {@code -mean(w * log pi(a|s))}. */
    public static NDArray awrLoss(NDArray weights, NDArray logProb) {
        return weights.mul(logProb).mean().neg();
    }

    NDArray qLoss(Batch b, NDArray nextV) {
        NDArray target = TemporalDifference.target(b.rewards(), b.dones(), nextV, config.discount());
        return TemporalDifference.twinLoss(critic.q1().q(b.observations(), b.actions()),
                critic.q2().q(b.observations(), b.actions()), target);
    }

    NDArray actorLoss(Batch b, NDArray advantage) {
        return awrLoss(advantageWeights(advantage, config.beta(), config.maxWeight()), actor.logProb(b.observations(), b.actions()));
    }

    @Override
    public Map<String, Double> update(Batch b, long step, boolean withMetrics) {
        if (config.cosineActorSchedule()) {
            actorOptimizer.setLearningRate(config.actorLr() * 0.5 * (1 + Math.cos(Math.PI * Math.min(step, totalSteps) / totalSteps)));
        }
        // Every loss of the step reads only pre-update networks (V(s') and Q'(s,a) are taken before V and Q' change), as
        // in the reference code. The critic lane (V(s') -> Q update -> Polyak) therefore runs beside the value-and-actor
        // lane; two signals order the only shared reads, and the numbers equal the sequential order's exactly.
        CompletableFuture<Void> nextValueRead = SideLane.signal();
        CompletableFuture<Void> targetQRead = SideLane.signal();
        double[] criticMetrics = new double[2];
        Runnable criticLane = () -> {
            NDArray nextV = value.v(b.nextObservations()).stopGradient();
            nextValueRead.complete(null);
            qOptimizer.zeroGradients();
            NDArray qLoss;
            try (Torch.Tape tape = new Torch.Tape()) {
                qLoss = qLoss(b, nextV);
                tape.backward(qLoss);
            }
            qOptimizer.step();
            targetQRead.join();
            critic.softUpdate(config.polyak());
            if (withMetrics) {
                criticMetrics[0] = scalar(qLoss);
                criticMetrics[1] = scalar(nextV.mean());
            }
        };
        Future<?> criticRun = lane != null ? lane.fork(criticLane) : null;

        NDArray targetQ = targetQ(b);
        targetQRead.complete(null);
        if (criticRun == null) {
            criticLane.run(); // sequential order: V(s'), Q update, Polyak, then V and actor below
        }
        nextValueRead.join();
        NDArray vLoss, advantage, piLoss;
        valueOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            NDArray v = value.v(b.observations());
            vLoss = valueLoss(targetQ, v);
            advantage = targetQ.sub(v).stopGradient();
            tape.backward(vLoss);
        }
        valueOptimizer.step();

        actorOptimizer.zeroGradients();
        try (Torch.Tape tape = new Torch.Tape()) {
            piLoss = actorLoss(b, advantage);
            tape.backward(piLoss);
        }
        actorOptimizer.step();
        if (criticRun != null) {
            SideLane.join(criticRun);
        }

        if (!withMetrics) {
            return Map.of();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("value_loss", scalar(vLoss));
        m.put("q_loss", criticMetrics[0]);
        m.put("actor_loss", scalar(piLoss));
        m.put("advantage_mean", scalar(advantage.mean()));
        m.put("v_mean", criticMetrics[1]);
        return m;
    }

    /** Runs the critic update on {@code lane} from now on (numbers unchanged; faster on two cores). */
    @Override
    public void useSideLane(SideLane lane) {
        this.lane = lane;
    }

    private static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray()[0];
    }

    @Override
    public NDArray act(NDArray observations) {
        return actor.mean(observations);
    }

    /** The Gaussian actor's draw {@code clip(mu(s) + sigma eps, -1, 1)}: how IQL acts during online fine-tuning. */
    @Override
    public NDArray explore(NDArray observations, Rng rng) {
        return actor.sample(observations, Noise.standardNormal(rng, observations, observations.getShape().get(0),
                actor.actionDim()));
    }

    /** The live network tensors (weights and targets), by checkpoint name. */
    private Map<String, NDArray> weights() {
        return Module.prefixed("q1", critic.q1(), "q2", critic.q2(), "q1_target", critic.q1Target(),
                "q2_target", critic.q2Target(),
                "value", value,
                "actor", actor);
    }

    /** The optimisers, by checkpoint name ({@code optim.<name>.*}). */
    private Map<String, Adam> optimizers() {
        return StateIo.named("q", qOptimizer, "value", valueOptimizer, "actor", actorOptimizer);
    }

    @Override
    public Map<String, NDArray> stateTensors(NDManager scratch) {
        return StateIo.tensors(weights(), optimizers(), scratch);
    }

    @Override
    public Map<String, String> stateMetadata() {
        return StateIo.metadata(optimizers());
    }

    @Override
    public void loadState(Checkpoint c) {
        StateIo.load(c, weights(), optimizers());
    }
}
