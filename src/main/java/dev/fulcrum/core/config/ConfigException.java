package dev.fulcrum.core.config;

/** An invalid configuration value; the message names the field (dotted path) and says what is wrong. */
public class ConfigException extends IllegalArgumentException {
    private final String field;

    public ConfigException(String field, String problem) {
        super("config field '" + field + "' " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
