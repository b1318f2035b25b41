package dev.fulcrum.cli;

import picocli.CommandLine;

/** Prints the Fulcrum version with the runtime and engine it runs on. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = FulcrumCli.class.getPackage().getImplementationVersion();
        return new String[] {"fulcrum " + (v != null ? v : "dev"), "Java " + Runtime.version() + ", DJL 0.36.0 (PyTorch 2.7.1 CPU)"};
    }
}
