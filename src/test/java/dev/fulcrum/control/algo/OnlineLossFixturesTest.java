package dev.fulcrum.control.algo;

import static dev.fulcrum.control.algo.LossFixtures.outputs;
import static dev.fulcrum.control.algo.LossFixtures.scalar;
import static dev.fulcrum.control.algo.LossFixtures.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import dev.fulcrum.control.nets.GaussianActor;
import dev.fulcrum.control.nets.TanhGaussianActor;
import org.junit.jupiter.api.Test;

/**
 * SAC's and AWAC's losses against values computed independently with PyTorch autograd in float64
 * (scripts/fixtures/awac_sac_losses.py, which documents each definition). Each case checks the loss, the gradients of
 * the named inputs and any intermediate outputs (the squashed action and its log-density, the critic target, the
 * advantage weights), to relative 1e-12.
 */
class OnlineLossFixturesTest {
    private static final LossFixtures F = LossFixtures.load("/fixtures/awac_sac_losses.json");

    @Test
    void sacTanhGaussian() {
        NDArrayFactory w = m -> tensor(m, F.get("sac_tanh_gaussian").get("params").get("w"));
        F.check("sac_tanh_gaussian", x -> {
            TanhGaussianActor.Sample s = TanhGaussianActor.sample(x.get("mean"), x.get("log_std"), x.get("eps"));
            NDArray loss = s.logProb().sum().add(s.action().mul(w.make(x.get("mean").getManager())).sum());
            return outputs("loss", loss, "action", s.action(), "log_prob", s.logProb());
        });
    }

    @Test
    void sacCritic() {
        double alpha = F.param("sac_critic", "alpha"), gamma = F.param("sac_critic", "gamma");
        F.check("sac_critic", x -> {
            NDArray y = Sac.criticTarget(x.get("r"), x.get("d"), x.get("q1_next_target"), x.get("q2_next_target"),
                    x.get("next_log_prob"), scalar(x.get("r"), alpha), gamma);
            return outputs("loss", TemporalDifference.twinLoss(x.get("q1"), x.get("q2"), y), "target", y);
        });
    }

    @Test
    void sacActor() {
        double alpha = F.param("sac_actor", "alpha");
        F.check("sac_actor", x -> outputs("loss", Sac.actorLoss(x.get("q1_pi"), x.get("q2_pi"), x.get("log_prob"),
                scalar(x.get("log_prob"), alpha))));
    }

    @Test
    void sacTemperature() {
        double target = F.param("sac_temperature", "target_entropy");
        F.check("sac_temperature", x -> outputs("loss", Sac.temperatureLoss(x.get("log_alpha"), x.get("log_prob"), target)));
    }

    @Test
    void awacCritic() {
        double gamma = F.param("awac_critic", "gamma");
        F.check("awac_critic", x -> outputs("loss", TemporalDifference.twinLoss(x.get("q1"), x.get("q2"),
                TemporalDifference.target(x.get("r"), x.get("d"),
                        NDArrays.minimum(x.get("q1_next_target"), x.get("q2_next_target")), gamma))));
    }

    @Test
    void awacWeights() {
        double lambda = F.param("awac_weights", "lambda"), max = F.param("awac_weights", "max_weight");
        F.check("awac_weights", x -> outputs("weights", Awac.advantageWeights(x.get("q_data"), x.get("q_pi"), lambda, max)));
    }

    @Test
    void awacActor() {
        double lambda = F.param("awac_actor", "lambda"), max = F.param("awac_actor", "max_weight");
        F.check("awac_actor", x -> {
            NDArray weights = Awac.advantageWeights(x.get("q_data"), x.get("q_pi"), lambda, max);
            NDArray loss = Iql.awrLoss(weights, GaussianActor.logProb(x.get("mean"), x.get("log_std"), x.get("a")));
            return outputs("loss", loss, "weights", weights);
        });
    }

    @FunctionalInterface
    private interface NDArrayFactory {
        NDArray make(NDManager m);
    }
}
