package dev.fulcrum.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends metrics as JSON Lines, one flushed line per record, so a killed run keeps every line it logged.
 * On resume from a checkpoint at step S, {@link #openForResume} drops lines logged after S: the resumed run then writes
 * the same file an uninterrupted run would have written.
 */
public final class MetricsLog implements AutoCloseable {
    private final BufferedWriter out;

    private MetricsLog(BufferedWriter out) {
        this.out = out;
    }

    public static MetricsLog create(Path file) {
        try {
            return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static MetricsLog openForResume(Path file, long checkpointStep) {
        List<String> kept = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node;
                    try {
                        node = Json.COMPACT.readTree(line);
                    } catch (IOException torn) {
                        break; // a line torn by the kill: everything after it is gone too
                    }
                    if (node.path("step").asLong() <= checkpointStep) {
                        kept.add(line);
                    }
                }
            }
            Files.write(file, kept, StandardCharsets.UTF_8);
            return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume " + file + ": " + e.getMessage(), e);
        }
    }

    /** Logs one record: {@code {"step": step, "phase": phase, ...values}}. */
    public void log(long step, String phase, Map<String, ?> values) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", step);
        record.put("phase", phase);
        record.putAll(values);
        try {
            out.write(Json.line(record));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads every record of a metrics file (for reports and tests). */
    public static List<JsonNode> read(Path file) {
        try {
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    rows.add(Json.COMPACT.readTree(line));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
