package dev.fulcrum.control.data;

/** Bad or unreadable dataset content; the message names the file, field and row where known. */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
