package dev.fulcrum.cli;

import dev.fulcrum.lm.iterative.IterateConfig;
import dev.fulcrum.lm.iterative.IterativePreferenceLoop;
import dev.fulcrum.lm.iterative.PreferenceIterationTrainer;
import dev.fulcrum.lm.train.ModelDirectories;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum lm iterate}: DNO, INPO or iterative DPO against a preference oracle. */
@Command(name = "iterate", mixinStandardHelpOptions = true,
        description = {"Iterative preference optimisation from a starting model: each iteration samples K responses per fresh "
                + "prompt, labels them with the preference oracle, selects pairs and trains the next iterate.",
                "--method dno: large-margin pairs by oracle win rate, DPO anchored at the previous iterate; inpo: best vs worst by "
                        + "win rate, INPO's loss anchored at the start and the previous iterate; dpo: best vs worst by gold "
                        + "(Bradley-Terry) reward, DPO anchored at the start.",
                "Reports each iterate's oracle win rate against the starting model and the sampling speed. Any setting: --set "
                        + "key=value (fields of OUT/config.json)."})
final class LmIterateCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Option(names = "--method", description = "dno, inpo or dpo (default: dno).")
    String method;
    @Option(names = "--init", description = "Starting model: a finished SFT run or a Hugging Face model directory.")
    Path init;
    @Option(names = "--iterations", description = "Iterations T (default: 3).")
    Integer iterations;
    @Option(names = "--oracle", description = "intransitive or bt (default: intransitive).")
    String oracle;
    @Option(names = "--samples", description = "Responses sampled per prompt, K (default: 4).")
    Integer samples;
    @Option(names = "--seed", description = "Seed (default: 0).")
    Long seed;

    @Override
    public Integer call() {
        List<String> own = new ArrayList<>();
        if (method != null) own.add("method=" + method);
        if (init != null) own.add("init=" + ModelDirectories.resolve(init));
        if (iterations != null) own.add("iterations=" + iterations);
        if (oracle != null) own.add("oracle=" + oracle);
        if (samples != null) own.add("samplesPerPrompt=" + samples);
        if (seed != null) own.add("seed=" + seed);
        IterateConfig cfg = run.resolve(IterateConfig.class, IterateConfig.defaults(), own);
        var result = new IterativePreferenceLoop(cfg, run.out, new PreferenceIterationTrainer()).resume(run.resume)
                .progressBar(run.progressBar()).verbose(true).run();
        System.out.printf("%s under %s: win rate against the starting model per iteration%n", cfg.method(), cfg.oracle());
        for (var r : result.rows()) {
            System.out.printf("  iteration %d: %.3f [%.3f, %.3f], gold reward %.3f%s%n", r.iteration(), r.winRate(), r.winRateLo(),
                    r.winRateHi(), r.goldReward(), r.iteration() == 0 ? " (the start against itself)"
                            : "; %d pairs (+%d earlier), sampling %.1f samples/s".formatted(r.pairs(), r.mixedPairs(), r.samplesPerSecond()));
        }
        System.out.println("run: " + run.out);
        return 0;
    }
}
