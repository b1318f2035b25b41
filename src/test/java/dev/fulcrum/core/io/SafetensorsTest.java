package dev.fulcrum.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fulcrum.core.nn.Torch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripIsExactAcrossTypes() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("w", m.create(new float[] {1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, 0f, -0f}, new Shape(2, 3)));
            t.put("d", m.create(new double[] {Math.PI, -1e300}));
            t.put("i", m.create(new long[] {Long.MIN_VALUE, 7}));
            t.put("scalar", m.create(42f));
            Path f = dir.resolve("x.safetensors");
            Safetensors.write(f, t, Map.of("step", "17"));
            Safetensors.Contents c = Safetensors.read(f);
            assertEquals("17", c.metadata().get("step"));
            assertEquals(t.keySet(), c.tensors().keySet());
            for (var e : t.entrySet()) {
                NDArray back = c.tensors().get(e.getKey()).toNDArray(m);
                assertEquals(e.getValue().getShape(), back.getShape(), e.getKey());
                assertEquals(e.getValue().getDataType(), back.getDataType(), e.getKey());
                assertArrayEquals(e.getValue().toByteArray(), back.toByteArray(), e.getKey());
            }
        }
    }

    /** The layout written by the reference implementation, built by hand: 8-byte length, JSON header, data. */
    @Test
    void readsHandBuiltReferenceLayout() throws Exception {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).putFloat(1.0f).putFloat(-3.5f);
        Path f = dir.resolve("ref.safetensors");
        Files.write(f, buf.array());
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals("pt", c.metadata().get("format"));
        try (NDManager m = Torch.newManager()) {
            assertArrayEquals(new float[] {1.0f, -3.5f}, c.tensors().get("a").toNDArray(m).toFloatArray());
        }
        // and our header is padded to 8 bytes with spaces, as the reference writer does
        Safetensors.writeRaw(dir.resolve("p.safetensors"), c.tensors(), Map.of());
        long len = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("p.safetensors")), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, len % 8);
    }

    @Test
    void badFilesGiveClearErrors() throws Exception {
        Path missing = dir.resolve("nope.safetensors");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.read(missing)).getMessage().contains("not found"));
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.read(junk)).getMessage().contains("not a safetensors"));
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).putLong(0);
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, buf.array());
        String msg = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(bad)).getMessage();
        assertTrue(msg.contains("'a'") && msg.contains("data_offsets"), msg);
    }

    @Test
    void failedWriteLeavesNothingBehind() {
        try (NDManager m = Torch.newManager()) {
            Path f = dir.resolve("half.safetensors");
            NDArray ok = m.create(new float[] {1f});
            assertThrows(RuntimeException.class, () -> AtomicFiles.write(f, out -> {
                out.write(new byte[100]);
                throw new java.io.IOException("disk full (simulated)");
            }));
            assertTrue(Files.notExists(f));
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "no temporary file may remain");
            }
            ok.close();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
