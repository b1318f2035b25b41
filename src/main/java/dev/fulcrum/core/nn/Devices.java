package dev.fulcrum.core.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * The device a run asks for, by name: {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}. {@link #parse} checks
 * the spelling only; {@link #resolve} also checks that the PyTorch engine can reach the device, and says what to install
 * when it cannot (the PyTorch natives Maven Central serves are CPU builds; a GPU needs a local CUDA libtorch 2.7.1).
 *
 * <p>Everything defaults to the CPU: {@link Torch#newManager()} is a CPU manager even when the engine sees a GPU, so a
 * CUDA engine never moves a run silently. {@code FULCRUM_DEVICE} sets the default device of the language-model trainers.
 */
public final class Devices {
    /** The accepted spellings, for error messages. */
    public static final String ACCEPTED = "'cpu', 'gpu' (the first GPU) or 'gpu:N' (GPU number N, from 0)";
    /** The environment variable holding the language-model trainers' default device. */
    public static final String ENVIRONMENT = "FULCRUM_DEVICE";

    private Devices() {
    }

    /** The device named {@code spec} (spelling only; see {@link #resolve} for availability). */
    public static Device parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu")) {
            return Device.gpu(0);
        }
        if (s.startsWith("gpu:")) {
            String index = s.substring(4);
            if (!index.isEmpty() && index.chars().allMatch(Character::isDigit) && index.length() <= 4) {
                return Device.gpu(Integer.parseInt(index));
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec + "': use " + ACCEPTED);
    }

    /** The device named {@code spec}, checked against the GPUs the PyTorch engine can use. */
    public static Device resolve(String spec) {
        Device device = parse(spec);
        return device.isGpu() ? resolve(spec, visibleGpus()) : device;
    }

    /** {@link #resolve(String)} against {@code gpusVisible} GPUs (testable without a GPU). */
    static Device resolve(String spec, int gpusVisible) {
        Device device = parse(spec);
        if (!device.isGpu()) {
            return device;
        }
        if (gpusVisible == 0) {
            throw new IllegalArgumentException("device '" + spec.trim() + "' asked for, but the PyTorch engine sees no GPU (the "
                    + "natives Maven Central serves are CPU builds). To train on a GPU, install a CUDA build of "
                    + "libtorch 2.7.1, set PYTORCH_LIBRARY_PATH to its lib folder and PYTORCH_FLAVOR to its flavour (e.g. cu128), "
                    + "see README 'Fine-tuning on a GPU'; or run on the CPU (--device cpu, --set device=cpu, or unset "
                    + ENVIRONMENT + ")");
        }
        if (device.getDeviceId() >= gpusVisible) {
            throw new IllegalArgumentException("device '" + spec.trim() + "' asked for, but the PyTorch engine sees " + gpusVisible
                    + " GPU" + (gpusVisible == 1 ? "" : "s") + " (gpu:0" + (gpusVisible > 1 ? " to gpu:" + (gpusVisible - 1) : "")
                    + "); pick one of those with --device or --set device=...");
        }
        return device;
    }

    /** GPUs the engine can use: none unless its natives were built with CUDA. */
    public static int visibleGpus() {
        Torch.init();
        Engine engine = Engine.getEngine("PyTorch");
        return engine.hasCapability(StandardCapabilities.CUDA) ? engine.getGpuCount() : 0;
    }

    /** The device name as {@link #parse} reads it: {@code cpu} or {@code gpu:N}. */
    public static String name(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    /** The default device of the language-model trainers: {@code FULCRUM_DEVICE}, else {@code cpu}. */
    public static String defaultName() {
        String env = System.getenv(ENVIRONMENT);
        return env == null || env.isBlank() ? "cpu" : env.trim();
    }

    /** Whether {@code a} lives in host memory. */
    public static boolean onCpu(NDArray a) {
        return Device.Type.CPU.equals(a.getDevice().getDeviceType());
    }
}
