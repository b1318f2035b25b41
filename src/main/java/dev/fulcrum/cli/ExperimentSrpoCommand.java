package dev.fulcrum.cli;

import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.experiment.lm.SrpoExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment srpo}: SRPO with self-revision vs DPO on held-in and held-out task families. */
@Command(name = "srpo", mixinStandardHelpOptions = true,
        description = {"SRPO vs DPO from the shared SFT base on Bradley-Terry-labelled pairs of held-in families; oracle win rate "
                + "against the SFT model on held-in and held-out families for self-revision rounds 0..K, over seeds.",
                "Writes the report (default docs/results/srpo.md) and srpo.png beside it."})
final class ExperimentSrpoCommand implements Callable<Integer> {
    @Option(names = "--base-families", description = "Train a base on these families instead of the standard one "
            + "(BaseSft.Spec.standard() with other families and --base-steps).")
    String baseFamilies;
    @Option(names = "--base-steps", defaultValue = "2500", description = "Updates of a --base-families base (default: ${DEFAULT-VALUE}).")
    long baseSteps;
    @Option(names = "--held-in", split = ",", defaultValue = "arith-add,sort-asc,str-reverse",
            description = "Families trained on (default: ${DEFAULT-VALUE}).")
    List<String> heldIn;
    @Option(names = "--held-out", split = ",", defaultValue = "arith-mul,sort-desc,str-dedupe",
            description = "Families evaluated only (default: ${DEFAULT-VALUE}).")
    List<String> heldOut;
    @Option(names = "--pair-problems", defaultValue = "60", description = "Problems per held-in family for pairs (default: ${DEFAULT-VALUE}).")
    int pairProblems;
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--steps", defaultValue = "60", description = "Updates per run (default: ${DEFAULT-VALUE}).")
    long steps;
    @Option(names = "--batch-size", defaultValue = "8", description = "Pairs per update (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--rounds", defaultValue = "3", description = "Revision rounds after the first answer (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--eval-problems", defaultValue = "20", description = "Evaluation problems per family (default: ${DEFAULT-VALUE}).")
    int evalProblems;
    @Option(names = {"--set", "-s"}, description = "Training setting key=value for both methods.")
    List<String> overrides = new ArrayList<>(List.of("optimizer.learningRate=1e-3", "optimizer.minLearningRate=1e-4",
            "optimizer.warmupSteps=5"));
    @Option(names = "--srpo-set", description = "Training setting key=value for SRPO only.")
    List<String> srpoOverrides = new ArrayList<>(List.of("srpo.beta=0.1", "srpo.alpha=0.8"));
    @Option(names = "--dpo-set", description = "Training setting key=value for DPO only.")
    List<String> dpoOverrides = new ArrayList<>(List.of("preference.beta=0.1", "preference.heldOutFraction=0", "preference.klSamples=0"));
    @Option(names = "--work", defaultValue = "runs/srpo", description = "Where pairs and runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/srpo.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        BaseSft.Spec standard = BaseSft.Spec.standard();
        BaseSft.Spec base = baseFamilies == null ? standard : new BaseSft.Spec(baseFamilies, standard.perFamily(), standard.dataSeed(),
                standard.modelSize(), baseSteps, standard.seed(), standard.overrides());
        var outcome = SrpoExperiment.run(new SrpoExperiment.Settings(base, heldIn, heldOut, pairProblems, seeds, steps, batchSize, rounds,
                evalProblems, overrides, srpoOverrides, dpoOverrides, work, report), !noProgress && Terminal.interactive());
        System.out.println(outcome.verdict());
        System.out.println("report: " + report);
        return 0;
    }
}
