package dev.fulcrum.control.env.mujoco;

/**
 * MuJoCo cannot be used on this machine: the library or its headers are missing, gcc is missing (the binding's small C
 * shim is compiled at first use), or the installed version is not one the binding supports. The message says what to
 * install.
 */
public final class MujocoUnavailableException extends IllegalStateException {
    public MujocoUnavailableException(String message) {
        super(message);
    }
}
