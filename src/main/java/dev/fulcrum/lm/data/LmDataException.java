package dev.fulcrum.lm.data;

import java.nio.file.Path;

/** A bad row in a data file; the message names the file, the line and the field. */
public final class LmDataException extends IllegalArgumentException {
    private final transient Path file;
    private final int line;
    private final String field;

    public LmDataException(Path file, int line, String field, String problem) {
        super(file + ":" + line + ": " + (field == null ? "" : "field '" + field + "' ") + problem);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    public Path file() {
        return file;
    }

    /** 1-based line number. */
    public int line() {
        return line;
    }

    /** The field at fault, or null when the whole row is. */
    public String field() {
        return field;
    }
}
