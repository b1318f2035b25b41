package dev.fulcrum.control.env.mujoco;

/** An error reported by MuJoCo (a model that does not load, a fatal simulation error), with MuJoCo's own message. */
public class MujocoException extends RuntimeException {
    public MujocoException(String message) {
        super(message);
    }
}
