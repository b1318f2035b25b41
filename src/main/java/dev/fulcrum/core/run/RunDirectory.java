package dev.fulcrum.core.run;

import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The on-disk record of one run, the same for every algorithm:
 * <pre>
 *   RUN/config.json         the resolved configuration (after defaults, file and overrides)
 *   RUN/metrics.jsonl       one JSON object per logged step: {"step":..,"phase":"train"|"eval", metric: value...}
 *   RUN/summary.json        final numbers, written once at the end (atomically)
 *   RUN/checkpoints/        step-00000100.safetensors ... (atomic; weights + optimiser + RNG + step)
 *   RUN/report.md, *.png    human-readable report with plots
 * </pre>
 */
public final class RunDirectory {
    private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d+)\\.safetensors");
    private final Path root;

    private RunDirectory(Path root) {
        this.root = root;
    }

    /** Creates a fresh run directory; refuses to reuse one that already holds a run (use {@link #open} to resume). */
    public static RunDirectory create(Path root) {
        if (Files.exists(root.resolve("config.json"))) {
            throw new IllegalArgumentException("run directory " + root + " already holds a run; pass --resume to continue it "
                    + "or choose another --out");
        }
        try {
            Files.createDirectories(root.resolve("checkpoints"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + root + ": " + e.getMessage(), e);
        }
        return new RunDirectory(root);
    }

    /** Opens an existing run directory (for resuming or reporting). */
    public static RunDirectory open(Path root) {
        if (!Files.isRegularFile(root.resolve("config.json"))) {
            throw new IllegalArgumentException("not a run directory (no config.json): " + root);
        }
        return new RunDirectory(root);
    }

    /**
     * Whether {@code root} holds a finished run of exactly {@code resolvedConfig}, so an experiment may read it instead of
     * training it again: false when it has no {@code summary.json}; true when its {@code config.json} equals the
     * configuration as {@link #writeConfig} writes it. A finished run of other settings is refused, naming the settings
     * that differ, rather than silently reused or deleted.
     */
    public static boolean finishedWith(Path root, Object resolvedConfig) {
        if (!Files.isRegularFile(root.resolve("summary.json"))) {
            return false;
        }
        com.fasterxml.jackson.databind.JsonNode expected, found;
        try { // both sides parsed from text, so 5 and 5L (or 1e-3 written two ways) compare equal
            expected = Json.MAPPER.readTree(Json.pretty(resolvedConfig));
            found = Json.MAPPER.readTree(root.resolve("config.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root.resolve("config.json") + ": " + e.getMessage(), e);
        }
        if (expected.equals(found)) {
            return true;
        }
        java.util.List<String> differing = new java.util.ArrayList<>();
        java.util.Set<String> fields = new java.util.TreeSet<>();
        expected.fieldNames().forEachRemaining(fields::add);
        if (found != null) {
            found.fieldNames().forEachRemaining(fields::add);
        }
        for (String f : fields) {
            if (found == null || !java.util.Objects.equals(expected.get(f), found.get(f))) {
                differing.add(f);
            }
        }
        throw new IllegalArgumentException(root + " holds a finished run of other settings (differing: "
                + String.join(", ", differing) + "); delete it or choose another work directory");
    }

    public Path root() {
        return root;
    }

    public Path configFile() {
        return root.resolve("config.json");
    }

    public Path metricsFile() {
        return root.resolve("metrics.jsonl");
    }

    public Path summaryFile() {
        return root.resolve("summary.json");
    }

    public Path checkpointsDir() {
        return root.resolve("checkpoints");
    }

    public void writeConfig(Object resolvedConfig) {
        AtomicFiles.writeString(configFile(), Json.pretty(resolvedConfig) + "\n");
    }

    public void writeSummary(Map<String, ?> summary) {
        AtomicFiles.writeString(summaryFile(), Json.pretty(summary) + "\n");
    }

    public Path checkpointFile(long step) {
        return checkpointsDir().resolve("step-%08d.safetensors".formatted(step));
    }

    /** The checkpoint with the highest step, if any. Temporary files of interrupted writes are ignored. */
    public Optional<Path> latestCheckpoint() {
        if (!Files.isDirectory(checkpointsDir())) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(checkpointsDir())) {
            return files.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .max(Comparator.comparingLong(RunDirectory::stepOf));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static long stepOf(Path checkpoint) {
        Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a checkpoint file name: " + checkpoint);
        }
        return Long.parseLong(m.group(1));
    }

    /** Deletes all but the newest {@code keep} checkpoints. */
    public void pruneCheckpoints(int keep) {
        try (Stream<Path> files = Files.list(checkpointsDir())) {
            var sorted = files.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(RunDirectory::stepOf).reversed()).toList();
            for (int i = keep; i < sorted.size(); i++) {
                Files.deleteIfExists(sorted.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
