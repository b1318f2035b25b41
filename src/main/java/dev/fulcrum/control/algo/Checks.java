package dev.fulcrum.control.algo;

import dev.fulcrum.core.config.ConfigException;

/** Validation of hyper-parameters; every message names the field. */
final class Checks {
    private Checks() {
    }

    static void positive(String field, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new ConfigException(field, "must be a positive number, got " + v);
        }
    }

    static void inUnit(String field, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new ConfigException(field, "must lie in [0, 1], got " + v);
        }
    }

    static void inOpenUnit(String field, double v) {
        if (!(v > 0 && v < 1)) {
            throw new ConfigException(field, "must lie strictly between 0 and 1, got " + v);
        }
    }

    static int[] hidden(int size, int layers) {
        int[] h = new int[layers];
        java.util.Arrays.fill(h, size);
        return h;
    }
}
