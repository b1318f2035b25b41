package dev.fulcrum.cli;

import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.lm.itool.ITool;
import dev.fulcrum.lm.itool.IToolConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum lm itool}: iterative reinforced fine-tuning for tool use (warm-up SFT, then deficiency -> MCTS -> SimPO). */
@Command(name = "itool", mixinStandardHelpOptions = true,
        description = {"iTool: warm-up SFT on synthetic tool-use data ordered easy to hard, then T rounds of: pick the 30%% of "
                + "problems whose gold response the policy finds least likely, search each with MCTS over tool-call steps "
                + "(3 candidates per node, depth 3, UCT c=1, values from the task oracle), and update the policy with SimPO "
                + "(beta 2.5, gamma 0.5) on the step-level pairs (best vs worst child, value gap >= 0.1).",
                "Writes OUT/warmup, OUT/iter-N/{deficient.jsonl,pairs.jsonl,search.json,run}, and OUT/summary.json with each "
                        + "stage's greedy solve rate on fresh problems of evalFamilies. Rerun the same command to continue an "
                        + "interrupted run."})
final class LmIToolCommand implements Callable<Integer> {
    @Option(names = "--init", required = true, description = "Model to start from: a finished run or a Hugging Face model directory.")
    Path init;
    @Option(names = "--iterations", description = "Rounds T (default: 3).")
    Integer iterations;
    @Option(names = "--families", description = "Task families of the synthetic SFT data (default: tool-calc,tool-price,tool-shop).")
    String families;
    @Option(names = "--warmup-steps", description = "Warm-up SFT updates, easy to hard; 0 skips the warm-up (default: 300).")
    Long warmupSteps;
    @Option(names = "--seed", description = "Sampling, search and training seed (default: 0).")
    Long seed;
    @Option(names = "--config", description = "YAML or JSON file of settings (fields of OUT/config.json).")
    Path config;
    @Option(names = {"--set", "-s"}, description = "Override any setting key=value (e.g. mctsIterations=8, deficiencyRatio=0.3). Repeatable.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--out", required = true, description = "Run directory (created, or continued when it holds this configuration).")
    Path out;
    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    boolean noProgress;

    @Override
    public Integer call() {
        List<String> o = new ArrayList<>(List.of("init=" + init));
        if (iterations != null) o.add("iterations=" + iterations);
        if (families != null) o.add("families=" + families);
        if (warmupSteps != null) o.add("warmupSteps=" + warmupSteps);
        if (seed != null) o.add("seed=" + seed);
        o.addAll(overrides);
        IToolConfig cfg = ConfigLoader.load(IToolConfig.class, IToolConfig.defaults(), config, o);
        List<ITool.StageScore> scores = new ITool(cfg, out).log(System.out::println).progressBar(!noProgress && Terminal.interactive()).run();
        System.out.printf("%-8s %8s %8s%n", "stage", "solved", "reward");
        for (ITool.StageScore s : scores) {
            System.out.printf("%-8s %8.3f %8.3f%n", s.stage(), s.solveRate(), s.meanReward());
        }
        System.out.println("summary: " + out.resolve("summary.json"));
        return 0;
    }
}
