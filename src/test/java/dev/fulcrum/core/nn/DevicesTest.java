package dev.fulcrum.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void parsesTheThreeSpellings() {
        assertEquals(Device.cpu(), Devices.parse("cpu"));
        assertEquals(Device.gpu(0), Devices.parse("gpu"));
        assertEquals(Device.gpu(1), Devices.parse("gpu:1"));
        assertEquals(Device.gpu(2), Devices.parse(" GPU:2 "));
        assertEquals("gpu:1", Devices.name(Devices.parse("gpu:1")));
        assertEquals("cpu", Devices.name(Devices.parse("CPU")));
    }

    @Test
    void anUnknownNameListsTheAcceptedForms() {
        for (String bad : new String[] {"tpu", "gpu:", "gpu:-1", "gpu:x", "cuda", "", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.parse(bad), String.valueOf(bad));
            assertTrue(e.getMessage().contains("unknown device '" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("'cpu', 'gpu'") && e.getMessage().contains("'gpu:N'"), e.getMessage());
        }
    }

    @Test
    void aGpuTheEngineDoesNotSeeIsRefusedSayingWhatToDo() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Devices.resolve("gpu", 0));
        for (String hint : new String[] {"sees no GPU", "PYTORCH_LIBRARY_PATH", "PYTORCH_FLAVOR", "libtorch 2.7.1", "--device cpu",
                "FULCRUM_DEVICE", "--set device=cpu"}) {
            assertTrue(none.getMessage().contains(hint), hint + " in: " + none.getMessage());
        }
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class, () -> Devices.resolve("gpu:2", 2));
        assertTrue(beyond.getMessage().contains("sees 2 GPUs (gpu:0 to gpu:1)"), beyond.getMessage());
        assertEquals(Device.gpu(1), Devices.resolve("gpu:1", 2));
        assertEquals(Device.cpu(), Devices.resolve("cpu", 0));
    }

    /** This project's engine is the CPU build: it reports no GPU, and asking for one fails with the explanation. */
    @Test
    void theCpuEngineHasNoGpuAndManagersStayOnTheCpu() {
        assertEquals(0, Devices.visibleGpus());
        assertThrows(IllegalArgumentException.class, () -> Devices.resolve("gpu"));
        try (NDManager m = Torch.newManager(); NDManager onCpu = Torch.newManager(Devices.resolve("cpu"))) {
            assertEquals(Device.cpu(), m.getDevice());
            assertEquals(Device.cpu(), onCpu.getDevice());
            NDArray a = onCpu.create(new float[] {1, 2});
            assertEquals(Device.cpu(), a.getDevice());
        }
    }
}
