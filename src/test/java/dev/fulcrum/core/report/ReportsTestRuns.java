package dev.fulcrum.core.report;

import java.io.IOException;
import java.nio.file.Path;

/** Fabricated run directories for tests outside this package. */
public final class ReportsTestRuns {
    private ReportsTestRuns() {
    }

    public static Path fabricate(Path root, String name, String algo, String env, int seed, double finalScore) throws IOException {
        return ReportsTest.fabricate(root, name, algo, env, seed, finalScore);
    }
}
