package dev.fulcrum.control.algo;

import static dev.fulcrum.control.algo.LossFixtures.outputs;
import static dev.fulcrum.control.algo.LossFixtures.tensor;

import ai.djl.ndarray.NDArray;
import dev.fulcrum.control.nets.BalanceModel;
import dev.fulcrum.control.nets.GaussianActor;
import org.junit.jupiter.api.Test;

/**
 * FamO2O's pieces against values computed independently with PyTorch autograd in float64
 * (scripts/fixtures/famo2o_losses.py, which documents each definition): the coefficient encoding, the balance model's
 * squashed and mapped draw with its log-density, the universal actor's AWR loss with per-sample coefficients, the balance
 * loss through a frozen actor and critics, and the balance temperature's loss; relative 1e-12.
 */
class FamO2OLossFixturesTest {
    private static final LossFixtures F = LossFixtures.load("/fixtures/famo2o_losses.json");

    @Test
    void encoding() {
        int d = (int) F.param("famo2o_encoding", "d");
        double n = F.param("famo2o_encoding", "n");
        F.check("famo2o_encoding", x -> outputs("encoding", FamO2O.encodeCoefficient(x.get("beta"), d, n)));
    }

    @Test
    void balanceSample() {
        double lo = F.param("famo2o_balance_sample", "lo"), hi = F.param("famo2o_balance_sample", "hi");
        F.check("famo2o_balance_sample", x -> {
            NDArray w = tensor(x.get("mean").getManager(), F.get("famo2o_balance_sample").get("params").get("w"));
            BalanceModel.Sample s = BalanceModel.sample(x.get("mean"), x.get("log_std"), x.get("eps"), lo, hi);
            NDArray loss = s.logProb().sum().add(s.coefficient().mul(w).sum());
            return outputs("loss", loss, "coefficient", s.coefficient(), "log_prob", s.logProb());
        });
    }

    @Test
    void universalActor() {
        double max = F.param("famo2o_actor", "max_weight");
        F.check("famo2o_actor", x -> {
            NDArray weights = FamO2O.familyWeights(x.get("adv"), x.get("beta"), max);
            NDArray loss = Iql.awrLoss(weights, GaussianActor.logProb(x.get("mean"), x.get("log_std"), x.get("a")));
            return outputs("loss", loss, "weights", weights);
        });
    }

    @Test
    void balanceLossThroughFrozenActorAndCritics() {
        String c = "famo2o_balance_chain";
        double alpha = F.param(c, "alpha"), lo = F.param(c, "lo"), hi = F.param(c, "hi"), n = F.param(c, "n");
        int d = (int) F.param(c, "d");
        F.check(c, x -> {
            BalanceModel.Sample s = BalanceModel.sample(x.get("b_mean"), x.get("b_log_std"), x.get("eps_b"), lo, hi);
            NDArray input = x.get("obs").concat(FamO2O.encodeCoefficient(s.coefficient(), d, n), 1);
            NDArray std = x.get("actor_log_std").clip(GaussianActor.LOG_STD_MIN, GaussianActor.LOG_STD_MAX).exp();
            NDArray action = input.matMul(x.get("actor_w")).tanh().add(x.get("eps_a").mul(std));
            NDArray sa = x.get("obs").concat(action, 1);
            NDArray q1 = sa.matMul(x.get("c1").reshape(-1, 1)).squeeze(1), q2 = sa.matMul(x.get("c2").reshape(-1, 1)).squeeze(1);
            NDArray loss = Sac.actorLoss(q1, q2, s.logProb(), LossFixtures.scalar(q1, alpha));
            return outputs("loss", loss, "coefficient", s.coefficient(), "action", action);
        });
    }

    @Test
    void temperature() {
        double target = F.param("famo2o_temperature", "target_entropy");
        F.check("famo2o_temperature", x -> outputs("loss", FamO2O.temperatureLoss(x.get("log_temp"), x.get("log_prob"), target)));
    }
}
