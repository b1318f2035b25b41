package dev.fulcrum.cli;

import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.experiment.lm.PgRankExperiment;
import dev.fulcrum.lm.rank.RetrievalCorpus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum experiment pg-rank}: contrastive warm start, then Neural PG-Rank, over seeds; in- and out-of-domain nDCG@10. */
@Command(name = "pg-rank", mixinStandardHelpOptions = true,
        description = {"Neural PG-Rank vs its contrastive warm start (and a continued-contrastive control): in-domain and "
                + "out-of-domain nDCG@10 over seeds, paired tests, docs/results/pg-rank.md.",
                "Starts from the shared SFT base model ('fulcrum experiment lm-base'; trained first if not cached)."})
final class ExperimentPgRankCommand implements Callable<Integer> {
    @Option(names = "--seeds", defaultValue = "3", description = "Seeds (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--first-seed", defaultValue = "0", description = "First seed (default: ${DEFAULT-VALUE}).")
    long firstSeed;
    @Option(names = "--data-seed", defaultValue = "0", description = "Seed of the generated benchmark (default: ${DEFAULT-VALUE}).")
    long dataSeed;
    @Option(names = "--contrastive-steps", defaultValue = "400", description = "Warm-start updates (default: ${DEFAULT-VALUE}).")
    long contrastiveSteps;
    @Option(names = "--pg-rank-steps", defaultValue = "200", description = "PG-Rank (and control) updates (default: ${DEFAULT-VALUE}).")
    long pgRankSteps;
    @Option(names = "--eval-every", defaultValue = "50", description = "Evaluate every this many updates (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--no-control", description = "Skip the continued-contrastive control runs.")
    boolean noControl;
    @Option(names = "--smoke-base", description = "Use the few-second test base model (for trying the pipeline).")
    boolean smokeBase;
    @Option(names = {"--set", "-s"}, description = "Settings key=value for every run (after the presets).")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--work", defaultValue = "runs/pg-rank", description = "Where data and runs go (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--report", defaultValue = "docs/results/pg-rank.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path report;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() {
        var outcome = PgRankExperiment.run(new PgRankExperiment.Settings(smokeBase ? BaseSft.Spec.smoke() : BaseSft.Spec.standard(),
                seeds, firstSeed, dataSeed, RetrievalCorpus.Sizes.standard(), contrastiveSteps, pgRankSteps, evalEvery, !noControl,
                overrides, work, report), !noProgress && Terminal.interactive());
        System.out.println("in-domain: " + outcome.inDomainVerdict());
        System.out.println(outcome.outOfDomainSummary());
        System.out.println("report: " + outcome.report());
        return 0;
    }
}
