package dev.fulcrum.control.env.mujoco;

import dev.fulcrum.core.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds MuJoCo on this machine and loads Fulcrum's C shim for it ({@code fulcrum_mujoco.c}, a resource beside this
 * class; see its header for why a shim exists at all).
 *
 * <p><b>How the shim is built: at first use, into a cache folder.</b> The first time a MuJoCo environment is asked for,
 * the shim's source is compiled with {@code gcc -O2 -shared -fPIC ... -lmujoco} into
 * {@code <cache>/mujoco/libfulcrum_mujoco-<hash>.so}, where the hash covers the shim's source and the installed
 * {@code mujoco.h}; later runs (and other JVMs) reuse it, and a MuJoCo upgrade gets a fresh build. The cache folder is
 * {@code -Dfulcrum.cache}, else {@code $FULCRUM_CACHE}, else {@code $XDG_CACHE_HOME/fulcrum}, else
 * {@code ~/.cache/fulcrum}; the headers are looked for in /usr/include and /usr/local/include, or where
 * {@code -Dfulcrum.mujoco.include} says. This was chosen over a Maven profile keyed on the header's existence because
 * (1) the shim is compiled against the headers of the MuJoCo that will actually be loaded, wherever the jar runs;
 * (2) a jar built on a machine without MuJoCo still gets MuJoCo environments once {@code libmujoco-dev} is installed;
 * (3) the build stays plain Java (no native step in {@code pom.xml}, nothing different between {@code mvn} offline and
 * CI). The cost is that gcc must be present at first use (it is wherever {@code libmujoco-dev} was installed for
 * development) and about half a second once. The compile writes through {@link AtomicFiles}, so concurrent first uses never load a half-written file.
 *
 * <p>The library's version ({@code mj_version()}) is checked at load time: it must equal the header version the shim was
 * compiled against and be a 2.2.x release (the binding is written and tested against Debian's 2.2.2).
 */
@SuppressWarnings("restricted") // FFM: native access is enabled for the application (launcher, surefire, jar manifest)
public final class MujocoLibrary {
    /** The one line a user needs when MuJoCo is missing. */
    public static final String INSTALL_HINT = "apt-get install libmujoco-dev gcc";
    /** The MuJoCo release line the binding supports: {@code mj_version() / 10}. */
    static final int SUPPORTED_MAJOR_MINOR = 22;
    private static final String SHIM_RESOURCE = "fulcrum_mujoco.c";
    private static final List<Path> DEFAULT_INCLUDE_DIRS = List.of(Path.of("/usr/include"), Path.of("/usr/local/include"));

    /** Either a loaded shim (lookup and version) or the reason there is none. */
    record Probe(SymbolLookup lookup, int version, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    private static volatile Probe probe;

    private MujocoLibrary() {
    }

    /** Whether MuJoCo environments can be made here (builds and loads the shim on the first call). */
    public static boolean isAvailable() {
        return probe().ok();
    }

    /** Why MuJoCo cannot be used here, starting with what to install; {@code null} when it can. */
    public static String unavailableReason() {
        return probe().failure();
    }

    /** Throws {@link MujocoUnavailableException} with the install hint unless MuJoCo can be used. */
    public static void require() {
        Probe p = probe();
        if (!p.ok()) {
            throw new MujocoUnavailableException(p.failure());
        }
    }

    /** {@code mj_version()} of the loaded library, e.g. 222 for 2.2.2. */
    public static int version() {
        require();
        return probe.version();
    }

    /** "2.2.2" for 222. */
    public static String versionString(int version) {
        return (version / 100) + "." + (version / 10 % 10) + "." + (version % 10);
    }

    static SymbolLookup lookup() {
        require();
        return probe.lookup();
    }

    private static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (MujocoLibrary.class) {
                p = probe;
                if (p == null) {
                    p = probe(includeDirs(), cacheDir());
                    probe = p;
                }
            }
        }
        return p;
    }

    /** Finds the headers under {@code includeDirs}, builds the shim in {@code cacheDir} if needed, loads and checks it. */
    static Probe probe(List<Path> includeDirs, Path cacheDir) {
        Path include = includeDirs.stream().filter(d -> Files.isRegularFile(d.resolve("mujoco/mujoco.h"))).findFirst().orElse(null);
        if (include == null) {
            return failure("MuJoCo is not installed: " + INSTALL_HINT + " (Debian/Ubuntu; MuJoCo 2.2.x). No mujoco/mujoco.h under "
                    + includeDirs + ".");
        }
        try {
            Path shim = buildShim(include, cacheDir.resolve("mujoco"));
            SymbolLookup lookup = SymbolLookup.libraryLookup(shim, Arena.global());
            Linker linker = Linker.nativeLinker();
            int version = (int) linker.downcallHandle(lookup.findOrThrow("fm_install"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
            int header = (int) linker.downcallHandle(lookup.findOrThrow("fm_header_version"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
            if (version != header) {
                return failure("MuJoCo's library is " + versionString(version) + " but its headers are " + versionString(header)
                        + ": reinstall one version (" + INSTALL_HINT + ").");
            }
            if (version / 10 != SUPPORTED_MAJOR_MINOR) {
                return failure("MuJoCo " + versionString(version) + " is installed; Fulcrum's binding supports 2.2.x (tested with "
                        + "2.2.2, Debian's " + INSTALL_HINT + ").");
            }
            return new Probe(lookup, version, null);
        } catch (ShimBuildException e) {
            return failure(e.getMessage());
        } catch (IllegalArgumentException e) { // dlopen failed: the shim loads but libmujoco.so.* does not
            return failure("MuJoCo could not be loaded (" + e.getMessage() + "): " + INSTALL_HINT + ".");
        } catch (Throwable e) {
            return failure("MuJoCo could not be loaded: " + e + ". Try: " + INSTALL_HINT + ".");
        }
    }

    private static Probe failure(String message) {
        return new Probe(null, 0, message);
    }

    private static final class ShimBuildException extends Exception {
        ShimBuildException(String message) {
            super(message);
        }
    }

    private static Path buildShim(Path include, Path dir) throws ShimBuildException {
        byte[] source = shimSource();
        byte[] header;
        try {
            header = Files.readAllBytes(include.resolve("mujoco/mujoco.h"));
        } catch (IOException e) {
            throw new ShimBuildException("cannot read " + include.resolve("mujoco/mujoco.h") + ": " + e.getMessage());
        }
        String key = hash(source, header, include.toString().getBytes(StandardCharsets.UTF_8));
        Path target = dir.resolve("libfulcrum_mujoco-" + key + ".so");
        if (Files.isRegularFile(target)) {
            return target;
        }
        String gcc = findCompiler();
        try {
            Files.createDirectories(dir);
            Path src = Files.createTempFile(dir, "fulcrum_mujoco-", ".c");
            try {
                Files.write(src, source);
                AtomicFiles.writeVia(target, tmp -> compile(gcc, include, src, tmp));
            } finally {
                Files.deleteIfExists(src);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ShimBuildException("could not build Fulcrum's MuJoCo shim in " + dir + ": " + e.getMessage());
        }
        return target;
    }

    private static void compile(String gcc, Path include, Path source, Path out) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(gcc, "-O2", "-shared", "-fPIC", "-I" + include, "-o", out.toString(),
                source.toString()));
        if (!include.equals(Path.of("/usr/include"))) { // MuJoCo elsewhere: link against, and load from, its lib folder
            Path lib = include.toAbsolutePath().resolveSibling("lib");
            cmd.add("-L" + lib);
            cmd.add("-Wl,-rpath," + lib);
        }
        cmd.add("-lmujoco");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("gcc did not finish within 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("gcc failed (" + String.join(" ", cmd) + "): " + output + " -- is MuJoCo fully installed? "
                    + INSTALL_HINT);
        }
    }

    private static String findCompiler() throws ShimBuildException {
        String cc = System.getenv("CC");
        List<String> names = cc != null && !cc.isBlank() ? List.of(cc, "gcc") : List.of("gcc");
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : names) {
            if (name.contains("/") && Files.isExecutable(Path.of(name))) {
                return name;
            }
            for (String d : path.split(":")) {
                if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                    return Path.of(d, name).toString();
                }
            }
        }
        throw new ShimBuildException("MuJoCo is installed but gcc is not; it is needed once to compile Fulcrum's small C shim: "
                + INSTALL_HINT);
    }

    static byte[] shimSource() {
        try (InputStream in = MujocoLibrary.class.getResourceAsStream(SHIM_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + SHIM_RESOURCE + " is missing from the Fulcrum build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha.update(part);
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Where to look for {@code mujoco/mujoco.h}: {@code -Dfulcrum.mujoco.include=DIR[:DIR...]} (a MuJoCo unpacked
     * elsewhere, e.g. /opt/mujoco/include, with its library in the sibling lib folder), else /usr/include and
     * /usr/local/include.
     */
    static List<Path> includeDirs() {
        String property = System.getProperty("fulcrum.mujoco.include");
        if (property == null || property.isBlank()) {
            return DEFAULT_INCLUDE_DIRS;
        }
        return java.util.Arrays.stream(property.split(":")).filter(d -> !d.isBlank()).map(Path::of).toList();
    }

    static Path cacheDir() {
        String property = System.getProperty("fulcrum.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("FULCRUM_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "fulcrum");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "fulcrum");
    }
}
