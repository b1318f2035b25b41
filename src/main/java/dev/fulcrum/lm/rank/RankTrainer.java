package dev.fulcrum.lm.rank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Adam;
import dev.fulcrum.core.nn.GradientClipping;
import dev.fulcrum.core.nn.Scalars;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.nn.WarmupCosine;
import dev.fulcrum.core.report.RunReport;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.core.run.Checkpoint;
import dev.fulcrum.core.run.FitOptions;
import dev.fulcrum.core.run.MetricsLog;
import dev.fulcrum.core.run.Progress;
import dev.fulcrum.core.run.RunDirectory;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.ModelDirectories;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link DualEncoder} on a BEIR split with the contrastive warm start ({@link InfoNce}: each query's answer
 * document against in-batch and BM25 candidate negatives) or with Neural PG-Rank ({@link PgRank}: REINFORCE on nDCG@k of
 * Plackett-Luce rankings of each query's BM25 candidate set). AdamW with warm-up and cosine decay, global-norm clipping;
 * every update inside an {@link NDScope} and a {@link Torch.Tape}.
 *
 * <p>Writes the run directory every Fulcrum run writes: {@code config.json}, {@code metrics.jsonl} (phase {@code train}:
 * {@code loss}, {@code lr}, {@code grad_norm}, and for pg-rank {@code sampled_ndcg}, the mean nDCG@k of the sampled
 * rankings; phase {@code eval}: {@code ndcg@10}, {@code recall@10}, {@code recall@100}, {@code mrr@10} of dense retrieval
 * over the whole corpus on the evaluation split), {@code summary.json}, {@code checkpoints/} (parameters, AdamW state, the
 * batch and sampling generators, the step: {@code --resume} continues exactly), {@code report.md}, and the trained
 * encoder folder {@code encoder/}.
 */
public final class RankTrainer extends FitOptions<RankTrainer> {
    public static final String ENCODER_DIR = "encoder";

    /** What a run reports; {@code finalEvaluation} is null when a resumed run was already complete. */
    public record Result(Path runDir, long stepsDone, Map<String, Double> finalEvaluation, double seconds) {
    }

    private final RankTrainConfig config;
    private final Path out;

    public RankTrainer(RankTrainConfig config, Path out) {
        this.config = config;
        this.out = out;
    }

    /** The encoder folder of a finished rank run, or the folder itself when it is one. */
    public static Path encoderDir(Path runOrEncoder) {
        if (DualEncoder.isEncoder(runOrEncoder)) {
            return runOrEncoder;
        }
        Path inside = runOrEncoder.resolve(ENCODER_DIR);
        if (DualEncoder.isEncoder(inside)) {
            return inside;
        }
        throw new IllegalArgumentException(runOrEncoder + " holds no encoder (a finished 'fulcrum rank train' run has "
                + ENCODER_DIR + "/" + DualEncoder.SETTINGS_FILE + ")");
    }

    public Result fit() {
        if (config.data().isBlank()) {
            throw new IllegalArgumentException("no training data: pass --data DIR (a BEIR folder; make one with 'fulcrum rank make-data')");
        }
        if (config.init().isBlank()) {
            throw new IllegalArgumentException("no starting model: pass --init (a language-model run or model directory, e.g. "
                    + "'fulcrum experiment lm-base', or a finished rank run)");
        }
        Path data = Path.of(config.data());
        Retrieval train = Retrieval.read(data, config.split(), 0);
        Retrieval eval = Retrieval.read(data, config.evalSplit(), config.evalQueries());
        RunDirectory resumed = resume ? RunDirectory.open(out) : null;
        try (NDManager manager = Torch.newManager()) {
            Rng master = new Rng(config.seed());
            Path init = Path.of(config.init());
            Path tokenizerDir;
            DualEncoder encoder;
            if (isEncoderOrRun(init)) {
                Path dir = encoderDir(init);
                encoder = DualEncoder.load(dir, manager);
                tokenizerDir = dir.resolve(DualEncoder.TRUNK_DIR);
                if (!encoder.settings().equals(config.encoder())) {
                    throw new IllegalArgumentException("encoder settings of --init " + dir + " (" + encoder.settings()
                            + ") differ from this run's encoder.* settings (" + config.encoder() + ")");
                }
            } else {
                Path modelDir = ModelDirectories.resolve(init);
                DecoderLm trunk = HfCheckpoint.load(modelDir, manager, DataType.FLOAT32);
                Tokenizer tokenizer = TokenizerFiles.ofModel(modelDir);
                encoder = DualEncoder.withNewProjection(manager, trunk, tokenizer, config.encoder(), master.split("projection"));
                tokenizerDir = modelDir;
            }
            Batches batches = new Batches(train, master.split("batches"), master.split("samples"));
            RunDirectory run = resume ? resumed : RunDirectory.create(out);
            if (!resume) {
                run.writeConfig(config);
            }
            return train(run, encoder, batches, eval, manager, tokenizerDir);
        }
    }

    private static boolean isEncoderOrRun(Path p) {
        return DualEncoder.isEncoder(p) || DualEncoder.isEncoder(p.resolve(ENCODER_DIR));
    }

    /** Training queries with their candidate sets, and the generators that draw batches and samples. */
    private final class Batches {
        final Retrieval task;
        final Rng order;
        final Rng samples;
        final List<List<String>> candidates = new ArrayList<>();
        final Map<String, Integer> docIndex = new LinkedHashMap<>();

        Batches(Retrieval task, Rng order, Rng samples) {
            this.task = task;
            this.order = order;
            this.samples = samples;
            for (int i = 0; i < task.documentIds().size(); i++) {
                docIndex.put(task.documentIds().get(i), i);
            }
            Bm25 bm25 = new Bm25(task.documentIds(), task.documentTexts());
            boolean pg = config.method().equals("pg-rank");
            int size = Math.min(task.documentIds().size(), pg ? config.pgRank().candidates() : config.contrastive().candidates());
            for (Retrieval.JudgedQuery q : task.queries()) {
                List<String> top = bm25.top(q.text(), size);
                candidates.add(pg ? withJudged(top, q) : top);
            }
        }

        /** The BM25 top list with judged documents it misses put in place of its lowest-ranked unjudged ones. */
        private List<String> withJudged(List<String> top, Retrieval.JudgedQuery q) {
            List<String> missing = q.judgements().entrySet().stream().filter(e -> e.getValue() > 0 && !top.contains(e.getKey()))
                    .map(Map.Entry::getKey).toList();
            List<String> out = new ArrayList<>(top);
            int at = out.size() - 1;
            for (String m : missing) {
                while (at >= 0 && q.judgements().getOrDefault(out.get(at), 0) > 0) {
                    at--;
                }
                if (at < 0) {
                    break;
                }
                out.set(at--, m);
            }
            return out;
        }

        String answer(Retrieval.JudgedQuery q) {
            int best = q.judgements().values().stream().mapToInt(Integer::intValue).max().orElse(0);
            return q.judgements().entrySet().stream().filter(e -> e.getValue() == best).findFirst().orElseThrow().getKey();
        }
    }

    private Result train(RunDirectory run, DualEncoder encoder, Batches batches, Retrieval eval, NDManager manager,
                         Path tokenizerDir) {
        Map<String, NDArray> parameters = encoder.parameters();
        Adam adam = config.optimizer().optimizer(manager, parameters);
        WarmupCosine schedule = config.optimizer().schedule(config.steps());
        long start = 0;
        MetricsLog metrics;
        if (resume && run.latestCheckpoint().isPresent()) {
            try (NDManager loading = manager.newSubManager()) {
                Checkpoint c = Checkpoint.load(run.latestCheckpoint().get(), loading);
                restore(c, parameters, adam, batches);
                start = c.step();
            }
            metrics = MetricsLog.openForResume(run.metricsFile(), start);
        } else {
            metrics = MetricsLog.create(run.metricsFile());
        }
        if (start >= config.steps()) {
            metrics.close();
            return new Result(out, start, null, 0); // already finished: nothing to redo or rewrite
        }
        long end = Math.min(config.steps(), stopAfter);
        Map<String, Double> lastEval = Map.of();
        long t0 = System.nanoTime();
        try (metrics; Progress bar = Progress.start(config.method(), config.steps(), start, progress)) {
            for (long step = start + 1; step <= end; step++) {
                schedule.apply(adam);
                double lr = adam.learningRate();
                adam.zeroGradients();
                Map<String, Object> m = new LinkedHashMap<>();
                try (NDScope ignored = new NDScope(); Torch.Tape tape = new Torch.Tape()) {
                    int[] picked = batches.order.indices(config.batchSize(), batches.task.queries().size());
                    NDArray loss = config.method().equals("contrastive") ? contrastiveLoss(manager, encoder, batches, picked)
                            : pgRankLoss(manager, encoder, batches, picked, m);
                    tape.backward(loss);
                    m.put("loss", Torch.scalar(loss));
                }
                double norm = config.optimizer().clipNorm() > 0 ? GradientClipping.clip(parameters.values(), config.optimizer().clipNorm())
                        : GradientClipping.globalNorm(parameters.values());
                adam.step();
                if (step % config.logEvery() == 0) {
                    m.put("lr", lr);
                    m.put("grad_norm", norm);
                    metrics.log(step, "train", m);
                    bar.setExtra("loss %.3f".formatted((Double) m.get("loss")));
                }
                if (step % config.evalEvery() == 0 || step == config.steps()) {
                    lastEval = evaluate(manager, encoder, eval).asMap();
                    metrics.log(step, "eval", lastEval);
                }
                if (step % config.checkpointEvery() == 0 || step == config.steps()) {
                    saveCheckpoint(run, step, parameters, adam, batches);
                }
                bar.step();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (end == config.steps()) {
            encoder.save(run.root().resolve(ENCODER_DIR), tokenizerDir);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("method", config.method());
            s.put("seed", config.seed());
            s.put("steps", config.steps());
            s.put("init", config.init());
            s.put("data", config.data());
            s.put("evaluation_split", eval.name());
            s.put("evaluation_queries", eval.queries().size());
            s.put("final_evaluation", lastEval);
            s.put("parameters", encoder.parameterCount());
            s.put("seconds", seconds);
            s.put("updates_this_session", end - start);
            s.put("encoder_dir", run.root().resolve(ENCODER_DIR).toString());
            s.put("intra_op_threads", Torch.intraOpThreads());
            run.writeSummary(s);
            RunReport.write(run);
        }
        return new Result(out, end, lastEval, seconds);
    }

    /** Dense-retrieval metrics of {@code encoder} on {@code task} (top 100 of the whole corpus). */
    public static Retrieval.Scores evaluate(NDManager manager, DualEncoder encoder, Retrieval task) {
        return task.evaluate(encoder.retrieve(manager, task, 100, 64));
    }

    /** InfoNCE over the batch: each query's answer against all the batch's (distinct) documents. */
    private NDArray contrastiveLoss(NDManager manager, DualEncoder encoder, Batches b, int[] picked) {
        LinkedHashSet<String> docs = new LinkedHashSet<>();
        List<int[]> queryTokens = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (int qi : picked) {
            Retrieval.JudgedQuery q = b.task.queries().get(qi);
            queryTokens.add(encoder.tokens(DualEncoder.QUERY_PREFIX, q.text()));
            String answer = b.answer(q);
            answers.add(answer);
            docs.add(answer);
            int best = q.judgements().get(answer);
            List<String> pool = b.candidates.get(qi).stream().filter(d -> q.judgements().getOrDefault(d, 0) < best).toList();
            int[] order = b.samples.permutation(pool.size());
            for (int k = 0; k < Math.min(config.contrastive().negatives(), pool.size()); k++) {
                docs.add(pool.get(order[k]));
            }
        }
        List<String> docList = new ArrayList<>(docs);
        int[] positives = answers.stream().mapToInt(docList::indexOf).toArray();
        List<int[]> docTokens = docList.stream()
                .map(d -> encoder.tokens(DualEncoder.DOCUMENT_PREFIX, b.task.documentTexts().get(b.docIndex.get(d)))).toList();
        NDArray scores = encoder.scores(encoder.embed(manager, queryTokens), encoder.embed(manager, docTokens));
        return InfoNce.loss(manager, scores, positives);
    }

    /** The mean PG-Rank surrogate over the batch's queries, each over its candidate set. */
    private NDArray pgRankLoss(NDManager manager, DualEncoder encoder, Batches b, int[] picked, Map<String, Object> metrics) {
        List<int[]> queryTokens = new ArrayList<>(), docTokens = new ArrayList<>();
        int c = b.candidates.getFirst().size();
        for (int qi : picked) {
            queryTokens.add(encoder.tokens(DualEncoder.QUERY_PREFIX, b.task.queries().get(qi).text()));
            for (String d : b.candidates.get(qi)) {
                docTokens.add(encoder.tokens(DualEncoder.DOCUMENT_PREFIX, b.task.documentTexts().get(b.docIndex.get(d))));
            }
        }
        NDArray q = encoder.embed(manager, queryTokens); // [B, d]
        NDArray d = encoder.embed(manager, docTokens).reshape(picked.length, c, -1); // [B, C, d]
        NDArray scores = d.matMul(q.expandDims(2)).reshape(picked.length, c)
                .mul(Scalars.of(q, 1.0 / encoder.settings().temperature())); // [B, C]
        NDArray total = null;
        double reward = 0;
        for (int i = 0; i < picked.length; i++) {
            Retrieval.JudgedQuery query = b.task.queries().get(picked[i]);
            int[] grades = RankingMetrics.grades(b.candidates.get(picked[i]), query.judgements()).clone();
            PgRank.Step s = PgRank.loss(manager, scores.get(i), grades, query.allGrades(), config.pgRank().samples(),
                    config.pgRank().cutoff(), b.samples);
            total = total == null ? s.loss() : total.add(s.loss());
            reward += s.meanReward();
        }
        metrics.put("sampled_ndcg", reward / picked.length);
        return total.div(manager.create((double) picked.length).toType(total.getDataType(), false));
    }

    private void saveCheckpoint(RunDirectory run, long step, Map<String, NDArray> parameters, Adam adam, Batches batches) {
        try (NDManager tmp = Torch.newManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            parameters.forEach((k, v) -> tensors.put("param." + k, v));
            adam.stateTensors(tmp).forEach((k, v) -> tensors.put("adam." + k, v));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("method", config.method());
            meta.put("adam.steps", Long.toString(adam.steps()));
            Checkpoint.putRng(meta, "batches", batches.order);
            Checkpoint.putRng(meta, "samples", batches.samples);
            new Checkpoint(step, tensors, meta).save(run.checkpointFile(step));
        }
        run.pruneCheckpoints(config.keepCheckpoints());
    }

    private static void restore(Checkpoint c, Map<String, NDArray> parameters, Adam adam, Batches batches) {
        c.restoreParameters("param", parameters, "encoder");
        String steps = c.metadata().get("adam.steps");
        if (steps == null) {
            throw new IllegalArgumentException("checkpoint lacks the optimiser's step count (adam.steps)");
        }
        adam.restore(c.group("adam"), Long.parseLong(steps));
        c.restoreRng("batches", batches.order);
        c.restoreRng("samples", batches.samples);
    }

}
