package dev.fulcrum.cli;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.train.ResponseGenerator;
import dev.fulcrum.lm.train.SelfRevision;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum lm revise}: a model's first answers to task problems and its own revisions of them, round by round. */
@Command(name = "revise", mixinStandardHelpOptions = true,
        description = {"Self-revision: y0 ~ pi(.|x), then y(k+1) ~ pi(.|x, Draft: y(k)) for k rounds (lm.align.RevisionPrompt), "
                + "greedy unless --temperature; every round's responses are scored by the oracle's gold reward.",
                "Writes one JSON line per problem and round; prints the mean gold reward and solve rate per round."})
final class LmReviseCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "A finished run (its model/) or a Hugging Face model directory.")
    Path run;
    @Option(names = "--rounds", defaultValue = "3", description = "Revision rounds after the first answer (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--tasks", defaultValue = "all", description = "Families: names, in-distribution, held-out or all (default: ${DEFAULT-VALUE}).")
    String tasks;
    @Option(names = "--per-family", defaultValue = "25", description = "Problems per family (default: ${DEFAULT-VALUE}).")
    int perFamily;
    @Option(names = "--seed", defaultValue = "1000003", description = "Problem seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--max-new-tokens", defaultValue = "200", description = "Response budget in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;
    @Option(names = "--max-tool-calls", defaultValue = "4", description = "Tool calls executed per response (default: ${DEFAULT-VALUE}).")
    int maxToolCalls;
    @Option(names = "--temperature", defaultValue = "0", description = "0: greedy; otherwise sampling temperature (default: ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--sample-seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long sampleSeed;
    @Option(names = "--batch-size", defaultValue = "64", description = "Prompts decoded together (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--out", required = true, description = "JSONL file: family, index, round, prompt, response, gold_reward.")
    Path out;

    @Override
    public Integer call() {
        if (rounds < 0 || perFamily <= 0 || maxNewTokens <= 0 || batchSize <= 0 || maxToolCalls < 0 || temperature < 0) {
            throw new IllegalArgumentException("--rounds, --max-tool-calls and --temperature must be non-negative; --per-family, "
                    + "--max-new-tokens and --batch-size positive");
        }
        List<Problem> problems = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        for (TaskFamily f : TaskSuite.select(tasks)) {
            List<Problem> ps = TaskSuite.problems(f, seed, perFamily);
            for (int i = 0; i < ps.size(); i++) {
                problems.add(ps.get(i));
                index.add(i);
            }
        }
        List<String> prompts = problems.stream().map(Problem::prompt).toList();
        SelfRevision.Rounds result;
        try (NDManager manager = Torch.newManager()) {
            LmTrainingCommands.Policy policy = LmTrainingCommands.Policy.load(run, manager);
            result = new SelfRevision(policy.model(), policy.tokenizer(), 8).run(manager, prompts, rounds,
                    new ResponseGenerator.Settings(maxNewTokens, maxToolCalls, temperature, 0, 1, batchSize), new Rng(sampleSeed));
            TokenizerFiles.close(policy.tokenizer());
        }
        StringBuilder lines = new StringBuilder();
        System.out.printf("%-6s %12s %11s %8s%n", "round", "gold reward", "solve rate", "kept*");
        for (int k = 0; k <= result.rounds(); k++) {
            double reward = 0;
            int solved = 0;
            for (int i = 0; i < problems.size(); i++) {
                Problem p = problems.get(i);
                String response = result.round(k).get(i);
                double r = p.score(response);
                reward += r;
                solved += r >= 1 - 1e-9 ? 1 : 0;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("family", p.family());
                row.put("split", TaskSuite.family(p.family()).split().label());
                row.put("seed", seed);
                row.put("index", index.get(i));
                row.put("round", k);
                row.put("prompt", p.prompt());
                row.put("response", response);
                row.put("gold_reward", r);
                lines.append(Json.line(row)).append('\n');
            }
            System.out.printf("%-6d %12.4f %11.4f %8d%n", k, reward / problems.size(), (double) solved / problems.size(),
                    result.keptForLength().get(k));
        }
        AtomicFiles.writeString(out, lines.toString());
        System.out.println("* responses kept from the previous round because the revision prompt left no room to revise");
        System.out.println("wrote " + out + " (" + problems.size() * (result.rounds() + 1) + " rows)");
        return 0;
    }
}
