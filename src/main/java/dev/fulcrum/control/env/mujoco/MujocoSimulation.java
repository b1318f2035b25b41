package dev.fulcrum.control.env.mujoco;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One MuJoCo model and its simulation state ({@code mjModel} + {@code mjData}), driven through the shim.
 *
 * <p>State arrays (qpos, qvel, ctrl, ...) are read and written in place in MuJoCo's memory; only {@link #step},
 * {@link #reset}, {@link #forward} and loading cross into native code. MuJoCo errors become {@link MujocoException}s
 * carrying MuJoCo's message; warnings (an unstable simulation that MuJoCo resets, too many contacts, ...) are counted and
 * logged at WARNING level. {@link #close} frees the native memory; a simulation that is never closed is freed when it
 * becomes unreachable (a {@link Cleaner}), so environments used through the plain {@code Env} interface do not leak.
 * Not thread-safe: one simulation per thread.
 */
@SuppressWarnings("restricted") // FFM: native access is enabled for the application (launcher, surefire, jar manifest)
public final class MujocoSimulation implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(MujocoSimulation.class.getName());
    private static final int ERROR_BUFFER = 1000;
    /** mjtWarning, in order. */
    private static final String[] WARNINGS = {"near-singular inertia matrix", "too many contacts", "too many constraints",
            "too many visual geoms", "bad number in qpos (MuJoCo reset the state)", "bad number in qvel (MuJoCo reset the state)",
            "bad number in qacc: the simulation is unstable (MuJoCo reset the state)", "bad number in ctrl"};

    private final String name;
    private final MemorySegment model, data;
    private final Cleaner.Cleanable freeNative;
    private final int nq, nv, nu, nbody;
    private final double timestep;
    private final MemorySegment qpos, qvel, ctrl, xpos, cfrcExt, time, qpos0, ctrlRange;
    private final boolean[] ctrlLimited;
    private long warnings;
    private boolean closed;

    private MujocoSimulation(String name, MemorySegment model) {
        this.name = name;
        this.model = model;
        MemorySegment d;
        try {
            d = (MemorySegment) MujocoNative.MAKE_DATA.invokeExact(model);
        } catch (Throwable t) {
            throw propagate(t);
        }
        if (d.equals(MemorySegment.NULL)) {
            free(model, MemorySegment.NULL);
            throw new MujocoException("MuJoCo could not allocate data for " + name + ": " + lastError());
        }
        this.data = d;
        this.freeNative = CLEANER.register(this, new Free(model, d));
        try {
            nq = (int) MujocoNative.NQ.invokeExact(model);
            nv = (int) MujocoNative.NV.invokeExact(model);
            nu = (int) MujocoNative.NU.invokeExact(model);
            nbody = (int) MujocoNative.NBODY.invokeExact(model);
            timestep = (double) MujocoNative.TIMESTEP.invokeExact(model);
            qpos = doubles((MemorySegment) MujocoNative.QPOS.invokeExact(d), nq);
            qvel = doubles((MemorySegment) MujocoNative.QVEL.invokeExact(d), nv);
            ctrl = doubles((MemorySegment) MujocoNative.CTRL.invokeExact(d), nu);
            xpos = doubles((MemorySegment) MujocoNative.XPOS.invokeExact(d), 3L * nbody);
            cfrcExt = doubles((MemorySegment) MujocoNative.CFRC_EXT.invokeExact(d), 6L * nbody);
            time = doubles((MemorySegment) MujocoNative.TIME.invokeExact(d), 1);
            qpos0 = doubles((MemorySegment) MujocoNative.QPOS0.invokeExact(model), nq);
            ctrlRange = doubles((MemorySegment) MujocoNative.CTRLRANGE.invokeExact(model), 2L * nu);
            MemorySegment limited = ((MemorySegment) MujocoNative.CTRLLIMITED.invokeExact(model)).reinterpret(nu);
            ctrlLimited = new boolean[nu];
            for (int i = 0; i < nu; i++) {
                ctrlLimited[i] = limited.get(JAVA_BYTE, i) != 0;
            }
        } catch (Throwable t) {
            freeNative.clean();
            throw propagate(t);
        }
    }

    /** Compiles MJCF text. {@code name} only labels messages. */
    public static MujocoSimulation fromXml(String name, String mjcf) {
        MujocoLibrary.require();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment error = arena.allocate(ERROR_BUFFER);
            MemorySegment m = (MemorySegment) MujocoNative.LOAD_STRING.invokeExact(arena.allocateFrom(mjcf), error, ERROR_BUFFER);
            return fromLoaded(name, m, error);
        } catch (Throwable t) {
            throw propagate(t);
        }
    }

    /** Compiles an MJCF file (relative includes and meshes are resolved against its folder). */
    public static MujocoSimulation fromFile(Path file) {
        MujocoLibrary.require();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("MJCF file " + file + " does not exist");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment error = arena.allocate(ERROR_BUFFER);
            MemorySegment m = (MemorySegment) MujocoNative.LOAD_FILE.invokeExact(arena.allocateFrom(file.toString()), error,
                    ERROR_BUFFER);
            return fromLoaded(file.toString(), m, error);
        } catch (Throwable t) {
            throw propagate(t);
        }
    }

    private static MujocoSimulation fromLoaded(String name, MemorySegment m, MemorySegment error) {
        if (m.equals(MemorySegment.NULL)) {
            String compiler = oneLine(error.getString(0));
            String message = compiler.isEmpty() ? lastError() : compiler;
            throw new MujocoException("MuJoCo could not load " + name + ": " + message);
        }
        String warning = oneLine(error.getString(0));
        if (!warning.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "MuJoCo loaded " + name + " with a warning: " + warning);
        }
        return new MujocoSimulation(name, m);
    }

    public String name() {
        return name;
    }

    public int nq() {
        return nq;
    }

    public int nv() {
        return nv;
    }

    public int nu() {
        return nu;
    }

    public int nbody() {
        return nbody;
    }

    /** The physics time step (seconds) of one {@code mj_step}. */
    public double timestep() {
        return timestep;
    }

    public double time() {
        return read(time, 0);
    }

    public double qpos(int i) {
        return read(qpos, i);
    }

    public void setQpos(int i, double value) {
        write(qpos, i, value);
    }

    public double qvel(int i) {
        return read(qvel, i);
    }

    public void setQvel(int i, double value) {
        write(qvel, i, value);
    }

    /** The model's reference configuration (what {@link #reset} restores). */
    public double qpos0(int i) {
        return read(qpos0, i);
    }

    public double control(int i) {
        return read(ctrl, i);
    }

    /** Sets actuator {@code i}'s control; MuJoCo clamps it to the control range when the actuator is ctrllimited. */
    public void setControl(int i, double value) {
        write(ctrl, i, value);
    }

    public double controlLow(int i) {
        return ctrlLimited[i] ? read(ctrlRange, 2L * i) : Double.NEGATIVE_INFINITY;
    }

    public double controlHigh(int i) {
        return ctrlLimited[i] ? read(ctrlRange, 2L * i + 1) : Double.POSITIVE_INFINITY;
    }

    /** World position coordinate {@code axis} (0 x, 1 y, 2 z) of body {@code body}'s frame. */
    public double bodyPosition(int body, int axis) {
        return read(xpos, 3L * body + axis);
    }

    /**
     * Component {@code k} (0-2 torque, 3-5 force) of the com-based external (contact) force on body {@code body}. Valid
     * after {@link #computeContactForces()}.
     */
    public double externalForce(int body, int k) {
        return read(cfrcExt, 6L * body + k);
    }

    /** Body id by name. */
    public int bodyId(String bodyName) {
        checkOpen();
        try (Arena arena = Arena.ofConfined()) {
            int id = (int) MujocoNative.BODY_ID.invokeExact(model, arena.allocateFrom(bodyName));
            if (id < 0) {
                throw new IllegalArgumentException(name + " has no body named '" + bodyName + "'");
            }
            return id;
        } catch (Throwable t) {
            throw propagate(t);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Advances the physics {@code frames} steps ({@code mj_step}) with the current controls.
     *
     * @return 0, or a bitmask of the MuJoCo warnings raised (bit i: mjtWarning i), which are also logged
     * @throws MujocoException on a MuJoCo error; the state is then undefined until {@link #reset}
     */
    public int step(int frames) {
        checkOpen();
        int result;
        try {
            result = (int) MujocoNative.STEP.invokeExact(model, data, frames);
        } catch (Throwable t) {
            throw propagate(t);
        } finally {
            Reference.reachabilityFence(this);
        }
        if (result < 0) {
            throw new MujocoException("MuJoCo error while stepping " + name + ": " + lastError());
        }
        if (result > 0) {
            warnings++;
            LOG.log(System.Logger.Level.WARNING, "MuJoCo warning in " + name + " at t=" + time() + ": "
                    + String.join("; ", warningNames(result)) + " [" + lastWarning() + "]");
        }
        return result;
    }

    /** {@code mj_resetData}: qpos = qpos0, velocities, controls and time zero. */
    public void reset() {
        call(MujocoNative.RESET, "resetting");
    }

    /** {@code mj_forward}: recomputes positions, contacts and forces after qpos/qvel were set directly. */
    public void forward() {
        call(MujocoNative.FORWARD, "computing the forward dynamics of");
    }

    /** {@code mj_rnePostConstraint}: fills the contact forces read by {@link #externalForce}. */
    public void computeContactForces() {
        call(MujocoNative.RNE_POST_CONSTRAINT, "computing contact forces of");
    }

    /** How many steps raised MuJoCo warnings since this simulation was made. */
    public long warningCount() {
        return warnings;
    }

    static List<String> warningNames(int mask) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < WARNINGS.length; i++) {
            if ((mask & (1 << i)) != 0) {
                names.add(WARNINGS[i]);
            }
        }
        return names;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Frees the model and data; further use throws {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        closed = true;
        freeNative.clean();
    }

    private void call(java.lang.invoke.MethodHandle handle, String what) {
        checkOpen();
        int result;
        try {
            result = (int) handle.invokeExact(model, data);
        } catch (Throwable t) {
            throw propagate(t);
        } finally {
            Reference.reachabilityFence(this);
        }
        if (result != 0) {
            throw new MujocoException("MuJoCo error while " + what + " " + name + ": " + lastError());
        }
    }

    private double read(MemorySegment segment, long i) {
        checkOpen();
        try {
            return segment.getAtIndex(JAVA_DOUBLE, i);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private void write(MemorySegment segment, long i, double value) {
        checkOpen();
        try {
            segment.setAtIndex(JAVA_DOUBLE, i, value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("MuJoCo simulation " + name + " is closed");
        }
    }

    private static MemorySegment doubles(MemorySegment pointer, long count) {
        return pointer.reinterpret(count * Double.BYTES);
    }

    private static String lastError() {
        return message(MujocoNative.LAST_ERROR, "(no message)");
    }

    private static String lastWarning() {
        return message(MujocoNative.LAST_WARNING, "");
    }

    private static String message(java.lang.invoke.MethodHandle handle, String fallback) {
        try {
            String text = oneLine(((MemorySegment) handle.invokeExact()).reinterpret(1024).getString(0));
            return text.isEmpty() ? fallback : text;
        } catch (Throwable t) {
            throw propagate(t);
        }
    }

    /** MuJoCo's multi-line messages as one line: "XML Error: Schema violation: unrecognized element; Element 'x', line 1". */
    static String oneLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(java.util.stream.Collectors.joining("; "));
    }

    private static void free(MemorySegment model, MemorySegment data) {
        try {
            MujocoNative.FREE.invokeExact(model, data);
        } catch (Throwable t) {
            throw propagate(t);
        }
    }

    /** The cleaning action: holds only the native pointers, never the simulation itself. */
    private record Free(MemorySegment model, MemorySegment data) implements Runnable {
        @Override
        public void run() {
            free(model, data);
        }
    }

    private static RuntimeException propagate(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
