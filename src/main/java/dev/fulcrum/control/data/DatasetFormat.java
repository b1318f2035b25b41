package dev.fulcrum.control.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The on-disk dataset layouts Fulcrum reads and writes, chosen from a file's content or a target's name. */
public enum DatasetFormat {
    /** One flat table per file: {@link D4rlHdf5}. */
    D4RL,
    /** One group per episode, observations with T + 1 rows: {@link MinariHdf5}. */
    MINARI;

    /** The layout of existing data: a directory or a file with {@code episode_N} groups is Minari, anything else D4RL. */
    public static DatasetFormat detect(Path input) {
        return Files.isDirectory(input) || MinariHdf5.isMinari(input) ? MINARI : D4RL;
    }

    /**
     * The layout for a target path: Minari for a directory-like name (no .hdf5/.h5 extension) or a file named
     * {@code main_data.hdf5}; D4RL for any other .hdf5/.h5 file.
     */
    public static DatasetFormat forTarget(Path target) {
        Path name = target.getFileName();
        return !MinariHdf5.isHdf5Name(target) || (name != null && name.toString().equals(MinariHdf5.MAIN_FILE)) ? MINARI : D4RL;
    }

    /** Parses {@code d4rl} or {@code minari} (any case). */
    public static DatasetFormat parse(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "d4rl" -> D4RL;
            case "minari" -> MINARI;
            default -> throw new IllegalArgumentException("unknown dataset format '" + name + "': expected d4rl or minari");
        };
    }

    /** Reads data in the layout {@link #detect} finds. */
    public static OfflineDataset readAny(Path input) {
        return detect(input).read(input);
    }

    public OfflineDataset read(Path input) {
        return switch (this) {
            case D4RL -> D4rlHdf5.read(input);
            case MINARI -> MinariHdf5.read(input);
        };
    }

    /** Writes {@code data} to {@code target} in this layout; returns the main file written. */
    public Path write(OfflineDataset data, Path target) {
        return switch (this) {
            case D4RL -> {
                D4rlHdf5.write(data, target);
                yield target;
            }
            case MINARI -> MinariHdf5.write(data, target);
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
