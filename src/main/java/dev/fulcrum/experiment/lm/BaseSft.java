package dev.fulcrum.experiment.lm;

import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The supervised (SFT) starting model that the language-model claim experiments share: trained from scratch on the
 * task suite's oracle references by {@link LmTrainer}, once per {@link Spec}, and cached under
 * {@code ~/.cache/fulcrum/lm-base/<hash of the spec>/} (override the folder with {@code FULCRUM_CACHE}). An experiment asks
 * for {@link #obtain(Spec, boolean)} and gets the finished run directory (its {@code model/} is a Hugging Face model
 * directory; {@code tokenizer/} holds the tokenizer); the first caller trains it, later callers reuse it. A run is only
 * published when finished (trained in a temporary folder, then moved), so an interrupted training leaves nothing that a
 * later caller could mistake for a base model.
 *
 * <p>The cache key is the spec alone: the same spec gives the same model on the same code (training is seeded); a change
 * of the trainer that changes results needs a new {@link #VERSION}.
 */
public final class BaseSft {
    /** Bumped when training code changes what a given spec produces. */
    public static final int VERSION = 1;

    /**
     * What to train.
     *
     * @param families   task families of the SFT data (names or 'in-distribution', as {@code TaskSuite.select})
     * @param perFamily  problems per family
     * @param dataSeed   problem generator seed
     * @param modelSize  {@code tiny} or {@code small} ({@link ModelSpec#preset})
     * @param steps      optimiser updates
     * @param seed       initialisation and data-order seed
     * @param overrides  further {@code key=value} settings of {@link LmTrainConfig}
     * @param corruptedShare share of the SFT problems demonstrated by one of their graded corruptions instead of the
     *                   reference (mixed-quality demonstrations, {@link OracleDatasets#sftWithCorruptions}); 0 = references
     *                   only. Part of the cache key only when non-zero, so reference-only specs keep their keys.
     */
    public record Spec(String families, int perFamily, long dataSeed, String modelSize, long steps, long seed,
                       List<String> overrides, double corruptedShare) {
        public Spec {
            overrides = List.copyOf(overrides);
            if (!(corruptedShare >= 0 && corruptedShare <= 1)) {
                throw new IllegalArgumentException("corruptedShare must be in [0, 1], got " + corruptedShare);
            }
        }

        /** A reference-only spec (corruptedShare 0). */
        public Spec(String families, int perFamily, long dataSeed, String modelSize, long steps, long seed, List<String> overrides) {
            this(families, perFamily, dataSeed, modelSize, steps, seed, overrides, 0);
        }

        /**
         * The base model of docs/results/lm-foundation.md: 'small' (0.84M parameters, byte tokenizer), 2500 updates of 32
         * on 1000 problems of each held-in family; about 13 CPU-minutes. Solves about half of the held-in problems.
         */
        public static Spec standard() {
            return new Spec("in-distribution", 1000, 0, "small", 2500, 0,
                    List.of("optimizer.learningRate=2e-3", "optimizer.minLearningRate=2e-4", "evalEvery=1250"));
        }

        /** A few-second model for tests: 'tiny', 40 updates on 20 problems per held-in family, no evaluation. */
        public static Spec smoke() {
            return new Spec("in-distribution", 20, 0, "tiny", 40, 0,
                    List.of("batchSize=8", "evalEvery=1000", "eval.problemsPerFamily=1"));
        }

        /**
         * SFT on mixed-quality demonstrations: 'tiny', 3000 updates of 32 on 1000 problems of each non-tool held-in family,
         * half of them demonstrated by a uniformly chosen graded corruption instead of the reference; about 3 CPU-minutes.
         * The setting where preference learning has something to correct (the standard base imitates references only).
         */
        public static Spec noisyDemonstrations() {
            return noisyDemonstrations(0.5);
        }

        /** {@link #noisyDemonstrations()} with another share of corrupted demonstrations (0: its reference-only control). */
        public static Spec noisyDemonstrations(double corruptedShare) {
            return new Spec("arith-add,sort-asc,str-reverse,str-upper,summary-person", 1000, 0, "tiny", 3000, 0,
                    List.of("batchSize=32", "optimizer.learningRate=3e-3", "optimizer.minLearningRate=3e-4", "optimizer.warmupSteps=50",
                            "evalEvery=3000", "eval.problemsPerFamily=10"), corruptedShare);
        }

        /** The fixed string the cache key is hashed from. */
        String canonical() {
            var fields = new java.util.TreeMap<String, Object>(Map.of("version", VERSION, "families", families, "perFamily", perFamily,
                    "dataSeed", dataSeed, "modelSize", modelSize, "steps", steps, "seed", seed, "overrides", overrides));
            if (corruptedShare != 0) {
                fields.put("corruptedShare", corruptedShare);
            }
            return Json.line(fields);
        }

        /** The SFT examples this spec trains on. */
        List<dev.fulcrum.lm.data.SftExample> demonstrations() {
            List<String> names = TaskSuite.select(families).stream().map(TaskFamily::name).toList();
            List<OracleDatasets.Source> sources = OracleDatasets.sources(names, dataSeed, perFamily);
            return corruptedShare == 0 ? OracleDatasets.sft(sources, false)
                    : OracleDatasets.sftWithCorruptions(sources, corruptedShare, new dev.fulcrum.core.rng.Rng(dataSeed).split("demonstrations"), false);
        }

        String key() {
            try {
                byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(h, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private BaseSft() {
    }

    /** The cache folder: {@code $FULCRUM_CACHE/lm-base} or {@code ~/.cache/fulcrum/lm-base}. */
    public static Path cacheRoot() {
        String env = System.getenv("FULCRUM_CACHE");
        Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "fulcrum");
        return root.resolve("lm-base");
    }

    /** The finished SFT run of {@code spec} in {@link #cacheRoot()}, trained first if it is not there yet. */
    public static Path obtain(Spec spec, boolean progress) {
        return obtain(spec, cacheRoot(), progress);
    }

    /**
     * The finished SFT run of {@code spec} under {@code cache}, trained first if it is not there yet. Processes asking for
     * the same spec at once take turns on a lock file ({@code <key>.lock}): one trains, the others wait and then reuse
     * its run, rather than all training the same model. The lock holder also removes what killed runs left behind.
     */
    public static Path obtain(Spec spec, Path cache, boolean progress) {
        Path done = cache.resolve(spec.key());
        if (finished(done)) {
            return done;
        }
        try {
            Files.createDirectories(cache);
            Object monitor = IN_PROCESS.computeIfAbsent(done.toAbsolutePath().normalize(), k -> new Object());
            synchronized (monitor) { // file locks exclude other processes only; threads of this one queue here
                return obtainLocked(spec, cache, done, progress);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not build the base SFT model in " + cache + ": " + e.getMessage(), e);
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, Object> IN_PROCESS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Path obtainLocked(Spec spec, Path cache, Path done, boolean progress) throws IOException {
        try (FileChannel channel = FileChannel.open(cache.resolve(spec.key() + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            if (finished(done)) {
                return done; // trained by the process we waited for
            }
            try (var stale = Files.newDirectoryStream(cache, spec.key() + ".partial-*")) {
                for (Path p : stale) {
                    dev.fulcrum.core.io.AtomicFiles.deleteTree(p);
                }
            }
            Path work = Files.createTempDirectory(cache, spec.key() + ".partial-");
            try {
                train(spec, work, progress);
                Files.move(work.resolve("run"), done, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IllegalStateException("cache folder " + cache + " does not support atomic moves", e);
            } finally {
                dev.fulcrum.core.io.AtomicFiles.deleteTree(work);
            }
        }
        return done;
    }

    private static boolean finished(Path run) {
        return Files.isRegularFile(run.resolve("summary.json")) && Files.isDirectory(run.resolve(LmTrainer.MODEL_DIR));
    }

    private static void train(Spec spec, Path work, boolean progress) throws IOException {
        Path data = work.resolve("sft.jsonl");
        SftJsonl.write(data, spec.demonstrations(), SftFormat.PROMPT_COMPLETION);
        List<String> o = new ArrayList<>(List.of("data=" + data, "tokenizer=bytes", "seed=" + spec.seed(), "steps=" + spec.steps(),
                "checkpointEvery=" + spec.steps(), "keepCheckpoints=1"));
        o.addAll(spec.overrides());
        LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("sft", ModelSpec.preset(spec.modelSize())),
                null, o);
        Path run = work.resolve("run");
        new LmTrainer(cfg, run).progressBar(progress).fit();
        Files.writeString(run.resolve("base-spec.json"), spec.canonical() + "\n");
        Files.copy(data, run.resolve("sft.jsonl"));
    }

}
