package dev.fulcrum.control.env.mujoco;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Downcall handles to the shim's flat functions ({@code fulcrum_mujoco.c}), one per function, as static finals so the
 * JIT treats them as constants. Loading this class requires {@link MujocoLibrary#require()} to pass.
 */
@SuppressWarnings("restricted") // FFM: native access is enabled for the application (launcher, surefire, jar manifest)
final class MujocoNative {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = MujocoLibrary.lookup();

    static final MethodHandle LOAD_FILE = handle("fm_load_file", ADDRESS, ADDRESS, ADDRESS, JAVA_INT);
    static final MethodHandle LOAD_STRING = handle("fm_load_string", ADDRESS, ADDRESS, ADDRESS, JAVA_INT);
    static final MethodHandle MAKE_DATA = handle("fm_make_data", ADDRESS, ADDRESS);
    static final MethodHandle FREE = handleVoid("fm_free", ADDRESS, ADDRESS);
    static final MethodHandle RESET = handle("fm_reset", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle FORWARD = handle("fm_forward", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle STEP = handle("fm_step", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    static final MethodHandle RNE_POST_CONSTRAINT = handle("fm_rne_post_constraint", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle LAST_ERROR = handle("fm_last_error", ADDRESS);
    static final MethodHandle LAST_WARNING = handle("fm_last_warning", ADDRESS);
    static final MethodHandle WARNING_TOTAL = handle("fm_warning_total", JAVA_LONG);
    static final MethodHandle NQ = handle("fm_nq", JAVA_INT, ADDRESS);
    static final MethodHandle NV = handle("fm_nv", JAVA_INT, ADDRESS);
    static final MethodHandle NU = handle("fm_nu", JAVA_INT, ADDRESS);
    static final MethodHandle NBODY = handle("fm_nbody", JAVA_INT, ADDRESS);
    static final MethodHandle TIMESTEP = handle("fm_timestep", JAVA_DOUBLE, ADDRESS);
    static final MethodHandle QPOS0 = handle("fm_qpos0", ADDRESS, ADDRESS);
    static final MethodHandle CTRLRANGE = handle("fm_ctrlrange", ADDRESS, ADDRESS);
    static final MethodHandle CTRLLIMITED = handle("fm_ctrllimited", ADDRESS, ADDRESS);
    static final MethodHandle BODY_ID = handle("fm_body_id", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle QPOS = handle("fm_qpos", ADDRESS, ADDRESS);
    static final MethodHandle QVEL = handle("fm_qvel", ADDRESS, ADDRESS);
    static final MethodHandle CTRL = handle("fm_ctrl", ADDRESS, ADDRESS);
    static final MethodHandle XPOS = handle("fm_xpos", ADDRESS, ADDRESS);
    static final MethodHandle CFRC_EXT = handle("fm_cfrc_ext", ADDRESS, ADDRESS);
    static final MethodHandle TIME = handle("fm_time", ADDRESS, ADDRESS);

    private MujocoNative() {
    }

    private static MethodHandle handle(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(LOOKUP.findOrThrow(name), FunctionDescriptor.of(result, args));
    }

    private static MethodHandle handleVoid(String name, MemoryLayout... args) {
        return LINKER.downcallHandle(LOOKUP.findOrThrow(name), FunctionDescriptor.ofVoid(args));
    }
}
