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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-demand reader and the half-precision conversions. */
class SafetensorsReaderTest {
    @TempDir
    Path dir;

    private static byte[] shorts(int... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    @Test
    void halfPrecisionConvertsExactly() {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.333251953125 = 0x3555, 65504 = 0x7BFF, 2^-24 = 0x0001 (subnormal)
        Safetensors.Tensor f16 = new Safetensors.Tensor("F16", new long[] {5}, shorts(0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001));
        // BF16: the top 16 bits of the float32: 1.0 = 0x3F80, -2.0 = 0xC000, 0.333984375 = 0x3EAB, 3.3895314e38 = 0x7F7F
        Safetensors.Tensor bf16 = new Safetensors.Tensor("BF16", new long[] {2, 2}, shorts(0x3F80, 0xC000, 0x3EAB, 0x7F7F));
        try (NDManager m = Torch.newManager()) {
            assertArrayEquals(new float[] {1f, -2f, 0.333251953125f, 65504f, 0x1p-24f}, f16.toNDArray(m, DataType.FLOAT32).toFloatArray());
            NDArray b = bf16.toNDArray(m, DataType.FLOAT64);
            assertEquals(new Shape(2, 2), b.getShape());
            assertArrayEquals(new double[] {1, -2, 0.333984375, Float.intBitsToFloat(0x7F7F0000)}, b.toDoubleArray());
            Safetensors.Tensor f32 = Safetensors.Tensor.of(m.create(new float[] {1.5f, -0.25f}));
            assertArrayEquals(new double[] {1.5, -0.25}, f32.toNDArray(m, DataType.FLOAT64).toDoubleArray());
            Safetensors.Tensor ints = Safetensors.Tensor.of(m.create(new long[] {3}));
            assertThrows(IllegalArgumentException.class, () -> ints.toNDArray(m, DataType.FLOAT32));
        }
    }

    @Test
    void readerMatchesWholeFileRead() {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("a", m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)));
            t.put("b", m.create(new double[] {Math.E}));
            t.put("c", m.create(new long[] {9, -9}));
            Path f = dir.resolve("x.safetensors");
            Safetensors.write(f, t, Map.of("k", "v"));
            Safetensors.Contents all = Safetensors.read(f);
            try (Safetensors.Reader r = Safetensors.open(f)) {
                assertEquals(all.metadata(), r.metadata());
                assertEquals(all.tensors().keySet(), r.names());
                for (String name : r.names()) {
                    Safetensors.Tensor x = r.tensor(name), y = all.tensors().get(name);
                    assertEquals(y.dtype(), x.dtype());
                    assertArrayEquals(y.shape(), x.shape());
                    assertArrayEquals(y.data(), x.data(), name);
                }
                assertTrue(assertThrows(IllegalArgumentException.class, () -> r.tensor("zz")).getMessage().contains("'zz'"));
            }
        }
    }

    @Test
    void readerRejectsBadFiles() throws Exception {
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.open(junk)).getMessage().contains("not a safetensors"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.open(dir.resolve("none"))).getMessage().contains("not found"));
    }
}
