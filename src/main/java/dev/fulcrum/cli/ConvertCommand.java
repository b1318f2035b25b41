package dev.fulcrum.cli;

import dev.fulcrum.control.data.DatasetFormat;
import dev.fulcrum.control.data.OfflineDataset;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fulcrum control convert --in X --out Y}: datasets between the D4RL and Minari HDF5 layouts. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a dataset between the D4RL and Minari HDF5 layouts.")
public final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "Input: a D4RL-layout .hdf5 file, a Minari main_data.hdf5 or a "
            + "Minari dataset directory (the layout is read from the content).")
    Path in;
    @Option(names = "--out", required = true, description = "Output: a path without .hdf5/.h5 extension is a Minari dataset "
            + "directory (DIR/data/main_data.hdf5 and metadata.json); a file named main_data.hdf5 is Minari (metadata.json "
            + "beside it); any other .hdf5/.h5 file is D4RL.")
    Path out;
    @Option(names = "--to", description = "Output layout, d4rl or minari, overriding the choice by --out's name.")
    String to;

    @Override
    public Integer call() {
        DatasetFormat from = DatasetFormat.detect(in);
        DatasetFormat target = to != null ? DatasetFormat.parse(to) : DatasetFormat.forTarget(out);
        OfflineDataset data = from.read(in);
        Path written = target.write(data, out);
        System.out.printf(Locale.ROOT, "converted %s (%s) to %s (%s): %d transitions, %d episodes, observation width %d, "
                + "action width %d%n", in, from.id(), written, target.id(), data.size(), data.episodeCount(),
                data.observationDim(), data.actionDim());
        return 0;
    }
}
