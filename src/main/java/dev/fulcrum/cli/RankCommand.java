package dev.fulcrum.cli;

import ai.djl.ndarray.NDManager;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.lm.rank.DualEncoder;
import dev.fulcrum.lm.rank.RankTrainConfig;
import dev.fulcrum.lm.rank.RankTrainer;
import dev.fulcrum.lm.rank.Retrieval;
import dev.fulcrum.lm.rank.RetrievalCorpus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fulcrum rank ...}: retrieval data, dual-encoder training (contrastive, Neural PG-Rank) and evaluation. */
@Command(name = "rank", mixinStandardHelpOptions = true,
        description = "Retrieval and ranking: a generated graded benchmark (BEIR layout), dual encoders trained with InfoNCE "
                + "or Neural PG-Rank, nDCG/recall/MRR evaluation.",
        subcommands = {RankCommand.MakeData.class, RankCommand.Train.class, RankCommand.Eval.class})
public final class RankCommand extends GroupCommand {

    @Command(name = "make-data", mixinStandardHelpOptions = true,
            description = {"Write the generated retrieval benchmark: DIR/in-domain (people; qrels train and test) and "
                    + "DIR/out-of-domain (towns; qrels test), each a BEIR folder, and DIR/provenance.json.",
                    "Grades: 2 = the document answering the query, 1 = another document about the same entity, 0 = others."})
    static final class MakeData implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Folder to write.")
        Path out;
        @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--in-domain-entities", defaultValue = "150", description = "People (4 documents each; default: ${DEFAULT-VALUE}).")
        int inDomain;
        @Option(names = "--out-of-domain-entities", defaultValue = "60", description = "Towns (4 documents each; default: ${DEFAULT-VALUE}).")
        int outOfDomain;
        @Option(names = "--test-share", defaultValue = "0.3333333333", description = "Share of people whose queries form the in-domain test split.")
        double testShare;

        @Override
        public Integer call() {
            RetrievalCorpus.Sizes sizes = new RetrievalCorpus.Sizes(inDomain, outOfDomain, testShare);
            RetrievalCorpus.Generated g = RetrievalCorpus.generate(seed, sizes);
            RetrievalCorpus.write(g, out, seed, sizes);
            System.out.printf("in-domain: %d documents, %d queries %s; out-of-domain: %d documents, %d queries; in %s%n",
                    g.inDomain().corpus().size(), g.inDomain().queries().size(), g.inDomain().qrels().keySet(),
                    g.outOfDomain().corpus().size(), g.outOfDomain().queries().size(), out);
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Train a dual encoder on a BEIR folder's split; writes a run directory with encoder/.",
                    "contrastive: InfoNCE with in-batch and BM25 candidate negatives (start from a language model: --init "
                            + "RUN_OR_MODEL). pg-rank: Neural PG-Rank, REINFORCE on nDCG@10 of Plackett-Luce rankings of BM25 "
                            + "candidate sets (start from a contrastive run: --init RUN)."})
    static final class Train implements Callable<Integer> {
        @Mixin
        RunOptions run;
        @Option(names = "--method", description = "contrastive or pg-rank.")
        String method;
        @Option(names = "--data", description = "A BEIR folder (e.g. DIR/in-domain of 'fulcrum rank make-data').")
        String data;
        @Option(names = "--init", description = "A language-model run or model directory, or a finished rank run.")
        String init;
        @Option(names = "--steps", description = "Optimiser updates.")
        Long steps;
        @Option(names = "--seed", description = "Seed.")
        Long seed;

        @Override
        public Integer call() {
            List<String> o = new ArrayList<>();
            if (data != null) o.add("data=" + data);
            if (init != null) o.add("init=" + init);
            if (steps != null) o.add("steps=" + steps);
            if (seed != null) o.add("seed=" + seed);
            String m = method != null ? method : "contrastive";
            if (!RankTrainConfig.METHODS.contains(m)) {
                throw new IllegalArgumentException("--method must be one of " + RankTrainConfig.METHODS + ", got '" + m + "'");
            }
            o.add("method=" + m);
            RankTrainConfig cfg = run.resolve(RankTrainConfig.class, RankTrainConfig.defaults(m), o);
            RankTrainer trainer = new RankTrainer(cfg, run.out).resume(run.resume).progressBar(run.progressBar());
            if (run.stopAfter != null) {
                trainer.stopAfter(run.stopAfter);
            }
            RankTrainer.Result r = trainer.fit();
            if (r.finalEvaluation() == null) {
                System.out.printf("run %s is already complete (%d updates)%n", r.runDir(), r.stepsDone());
            } else if (r.stepsDone() == cfg.steps()) {
                System.out.printf(Locale.ROOT, "%s: %s on %s; run: %s%n", cfg.method(), r.finalEvaluation(), cfg.evalSplit(), r.runDir());
            } else {
                System.out.printf("stopped after %d of %d updates; continue with --resume --out %s%n", r.stepsDone(), cfg.steps(), r.runDir());
            }
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Dense retrieval over the whole corpus with a trained encoder (or BM25): nDCG@10, recall@10, recall@100, MRR@10.")
    static final class Eval implements Callable<Integer> {
        @Option(names = "--run", description = "A finished rank run or an encoder folder.")
        Path run;
        @Option(names = "--bm25", description = "Evaluate BM25 instead of an encoder.")
        boolean bm25;
        @Option(names = "--data", required = true, description = "A BEIR folder.")
        Path data;
        @Option(names = "--split", defaultValue = "test", description = "Its qrels split (default: ${DEFAULT-VALUE}).")
        String split;
        @Option(names = "--queries", defaultValue = "0", description = "Only the first this many queries (0: all).")
        int queries;
        @Option(names = "--out", description = "Also write the metrics to this JSON file.")
        Path out;

        @Override
        public Integer call() {
            if (bm25 == (run != null)) {
                throw new IllegalArgumentException("pass exactly one of --run RUN and --bm25");
            }
            Retrieval task = Retrieval.read(data, split, queries);
            Retrieval.Scores s;
            if (bm25) {
                s = task.evaluateBm25();
            } else {
                try (NDManager m = Torch.newManager()) {
                    s = RankTrainer.evaluate(m, DualEncoder.load(RankTrainer.encoderDir(run), m), task);
                }
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("retriever", bm25 ? "bm25" : run.toString());
            result.put("data", data.toString());
            result.put("split", split);
            result.put("queries", s.queries());
            result.putAll(s.asMap());
            System.out.printf(Locale.ROOT, "%s on %s (%d queries): nDCG@10 %.4f, recall@10 %.4f, recall@100 %.4f, MRR@10 %.4f%n",
                    result.get("retriever"), task.name(), s.queries(), s.ndcg10(), s.recall10(), s.recall100(), s.mrr10());
            if (out != null) {
                AtomicFiles.writeString(out, Json.pretty(result) + "\n");
            }
            return 0;
        }
    }
}
