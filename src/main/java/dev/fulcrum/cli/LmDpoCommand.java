package dev.fulcrum.cli;

import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum lm dpo}: preference optimisation of a policy (DPO and its variants) on preference JSONL. */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = {"Preference optimisation of a policy on preference JSONL (prompt/chosen/rejected) with the DPO loss family "
                + "(sigmoid, robust, hinge, ipo, simpo), anchored to a frozen reference model (default: a copy of --init).",
                "Holds out the pairs of preference.heldOutFraction of the prompts and reports TRL's rewards/* metrics, ranking "
                        + "accuracy (observed, length-normalised, idealised) and a sampled KL(policy || reference) on them.",
                "Writes a run directory with the trained policy as a Hugging Face directory RUN/model."})
final class LmDpoCommand extends LmTrainingCommands.TrainLm {
    @Option(names = "--loss", description = "Pair loss: sigmoid, robust, hinge, ipo or simpo (default: sigmoid).")
    String loss;
    @Option(names = "--beta", description = "Balance beta (default: 0.1; SimPO uses about 2).")
    Double beta;
    @Option(names = "--reference", description = "Reference model: a Hugging Face model directory or finished run (default: the --init model).")
    Path reference;
    @Option(names = "--reference-mode", description = "precomputed (reference scores computed once and stored in the run) or live "
            + "(default: precomputed).")
    String referenceMode;

    @Override
    String objective() {
        return "dpo";
    }

    @Override
    List<String> objectiveOverrides() {
        List<String> own = new ArrayList<>();
        if (loss != null) own.add("preference.loss=" + loss);
        if (beta != null) own.add("preference.beta=" + beta);
        if (reference != null) own.add("preference.reference=" + reference);
        if (referenceMode != null) own.add("preference.referenceMode=" + referenceMode);
        return own;
    }

    @Override
    void report(LmTrainConfig cfg, LmTrainer.Result r) {
        Map<String, Double> m = r.finalEvaluation() == null ? Map.of() : r.finalEvaluation();
        System.out.printf("%s (%s, beta %s): %d updates, %.0f tokens/s%n", cfg.objective(), cfg.preference().loss(),
                cfg.preference().beta(), r.stepsDone(), r.tokensPerSecond());
        for (String prefix : List.of("eval_", "train_")) {
            String ranking = prefix.equals("eval_") ? "" : "train_";
            if (!m.containsKey(prefix + "loss")) {
                continue;
            }
            System.out.printf("  %-9s loss %.4f, reward accuracy %.3f, reward margin %.3f; ranking accuracy %.3f (length-normalised "
                            + "%.3f, reference %.3f, idealised %.3f)%n", prefix.equals("eval_") ? "held-out" : "training",
                    m.get(prefix + "loss"), m.getOrDefault(prefix + "rewards/accuracies", Double.NaN),
                    m.getOrDefault(prefix + "rewards/margins", Double.NaN), m.get(ranking + "ranking_accuracy"),
                    m.get(ranking + "ranking_accuracy_length_normalised"), m.get(ranking + "reference_ranking_accuracy"),
                    m.get(ranking + "idealised_ranking_accuracy"));
        }
        if (m.containsKey("kl_to_reference")) {
            System.out.printf("  KL(policy || reference) estimate %.3f nats per response%n", m.get("kl_to_reference"));
        }
    }
}
