package dev.fulcrum.cli;

import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code fulcrum lm srpo}: SRPO training of one model as generator and reviser (lm.align.Srpo, lm.train.SrpoObjective). */
@Command(name = "srpo", mixinStandardHelpOptions = true,
        description = {"SRPO on preference JSONL from --init (the model trained and the frozen reference): the joint loss of the "
                + "generator pi(y|x) and the reviser pi(y'|x, Draft: y), settings srpo.alpha (0.8) and srpo.beta (0.01).",
                "Revise with the result: fulcrum lm revise --run RUN --rounds K."})
final class LmSrpoCommand extends LmTrainingCommands.TrainLm {
    @Override
    String objective() {
        return "srpo";
    }

    @Override
    void report(LmTrainConfig cfg, LmTrainer.Result r) {
        Map<String, Double> m = r.finalEvaluation();
        System.out.printf("srpo: %d updates, %.0f tokens/s; on %d probe pairs: loss %.4f, reward accuracy %.3f, "
                        + "revision accuracy (draft yl) %.3f, (draft yw) %.3f%n", r.stepsDone(), r.tokensPerSecond(),
                cfg.srpo().probePairs(), m.get("probe_loss"), m.get("probe_rewards_accuracy"),
                m.get("probe_revision_accuracy_rejected"), m.get("probe_revision_accuracy_chosen"));
    }
}
