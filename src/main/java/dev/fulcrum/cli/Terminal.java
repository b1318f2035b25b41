package dev.fulcrum.cli;

/** Whether standard output is an interactive terminal (progress bars are drawn only there, not into logs). */
final class Terminal {
    private Terminal() {
    }

    static boolean interactive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }
}
