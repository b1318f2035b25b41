package dev.fulcrum.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hugging Face's safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor name to
 * {@code {dtype, shape, data_offsets}} plus an optional {@code __metadata__} string map, then the raw little-endian data.
 * Used for model weights and for our training checkpoints (whose step, RNG and optimiser counters travel in
 * {@code __metadata__}). Writes are atomic.
 */
public final class Safetensors {
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private Safetensors() {
    }

    /** A tensor as stored: dtype code (F32, F64, I64, I32, U8, BOOL, F16, BF16), shape and little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] data) {
        public NDArray toNDArray(NDManager manager) {
            ByteBuffer buf = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
            buf.put(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
            buf.rewind();
            return manager.create(buf, new Shape(shape), dataType(dtype));
        }

        /**
         * The tensor as a floating-point NDArray of type {@code target} (FLOAT32 or FLOAT64), converting F16, BF16, F32
         * or F64 storage in Java (exact widening; F64 to FLOAT32 rounds to nearest).
         */
        public NDArray toNDArray(NDManager manager, DataType target) {
            if (target != DataType.FLOAT32 && target != DataType.FLOAT64) {
                throw new IllegalArgumentException("conversion target must be FLOAT32 or FLOAT64, not " + target);
            }
            if (dataType(dtype) == target) {
                return toNDArray(manager);
            }
            ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            int n = data.length / bytesPer(dtype);
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = switch (dtype) {
                    case "F16" -> Float.float16ToFloat(in.getShort(2 * i));
                    case "BF16" -> Float.intBitsToFloat((in.getShort(2 * i) & 0xFFFF) << 16);
                    case "F32" -> in.getFloat(4 * i);
                    case "F64" -> in.getDouble(8 * i);
                    default -> throw new IllegalArgumentException("tensor of dtype " + dtype + " is not floating point");
                };
            }
            if (target == DataType.FLOAT64) {
                return manager.create(values, new Shape(shape));
            }
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) values[i];
            }
            return manager.create(f, new Shape(shape));
        }

        /** The bytes of {@code a}; a tensor on a device is read through a host copy, freed at once. */
        public static Tensor of(NDArray a) {
            if (!ai.djl.Device.Type.CPU.equals(a.getDevice().getDeviceType())) {
                try (NDArray host = a.toDevice(ai.djl.Device.cpu(), true)) {
                    return of(host);
                }
            }
            ByteBuffer src = a.toByteBuffer().order(ByteOrder.nativeOrder());
            byte[] bytes = new byte[src.remaining()];
            src.get(bytes);
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                throw new UnsupportedOperationException("big-endian hosts are not supported");
            }
            return new Tensor(code(a.getDataType()), a.getShape().getShape(), bytes);
        }
    }

    /** A whole file: metadata and tensors in file order. */
    public record Contents(Map<String, String> metadata, Map<String, Tensor> tensors) {
    }

    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        Map<String, Tensor> raw = new LinkedHashMap<>();
        tensors.forEach((k, v) -> raw.put(k, Tensor.of(v)));
        writeRaw(file, raw, metadata);
    }

    public static void writeRaw(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = Json.COMPACT.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            var offsets = t.putArray("data_offsets");
            offsets.add(offset);
            offset += e.getValue().data().length;
            offsets.add(offset);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the reference writer pads the header with spaces to 8 bytes
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (Tensor t : tensors.values()) {
                out.write(t.data());
            }
        });
    }

    public static Contents read(Path file) {
        try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
            byte[] lenBytes = data.readNBytes(8);
            if (lenBytes.length < 8) {
                throw new IllegalArgumentException(file + ": not a safetensors file (shorter than 8 bytes)");
            }
            long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long size = Files.size(file);
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new IllegalArgumentException(file + ": not a safetensors file (header length " + headerLen + ")");
            }
            byte[] headerBytes = data.readNBytes((int) headerLen);
            JsonNode header = Json.COMPACT.readTree(new String(headerBytes, StandardCharsets.UTF_8).trim());
            byte[] body = data.readAllBytes();
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode t = e.getValue();
                String dtype = t.path("dtype").asText();
                dataType(dtype); // validates
                long[] shape = new long[t.path("shape").size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong();
                    count *= shape[i];
                }
                long begin = t.path("data_offsets").path(0).asLong(-1);
                long end = t.path("data_offsets").path(1).asLong(-1);
                if (begin < 0 || end < begin || end > body.length || end - begin != count * bytesPer(dtype)) {
                    throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' has bad data_offsets [" + begin
                            + ", " + end + "] for shape " + java.util.Arrays.toString(shape) + " " + dtype);
                }
                byte[] bytes = new byte[(int) (end - begin)];
                System.arraycopy(body, (int) begin, bytes, 0, bytes.length);
                tensors.put(e.getKey(), new Tensor(dtype, shape, bytes));
            }
            return new Contents(metadata, tensors);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a file for reading tensors one at a time: only the header is read up front, each {@link #tensor} reads its
     * own bytes, so a checkpoint never needs to fit in memory twice (and files over 2 GB work).
     */
    public static Reader open(Path file) {
        return new Reader(file);
    }

    /** A safetensors file opened by {@link #open}: header parsed, data read on demand. */
    public static final class Reader implements AutoCloseable {
        private record Entry(String dtype, long[] shape, long begin, long end) {
        }

        private final Path file;
        private final java.nio.channels.FileChannel channel;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final long dataStart;

        private Reader(Path file) {
            this.file = file;
            try {
                channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("file not found: " + file, e);
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": " + e.getMessage(), e);
            }
            try {
                long size = channel.size();
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(len, 0);
                if (len.position() < 8) {
                    throw new IllegalArgumentException(file + ": not a safetensors file (shorter than 8 bytes)");
                }
                long headerLen = len.getLong(0);
                if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                    throw new IllegalArgumentException(file + ": not a safetensors file (header length " + headerLen + ")");
                }
                ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
                readFully(hb, 8);
                dataStart = 8 + headerLen;
                long bodyLength = size - dataStart;
                JsonNode header = Json.COMPACT.readTree(new String(hb.array(), StandardCharsets.UTF_8).trim());
                for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getKey().equals("__metadata__")) {
                        e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                        continue;
                    }
                    JsonNode t = e.getValue();
                    String dtype = t.path("dtype").asText();
                    dataType(dtype);
                    long[] shape = new long[t.path("shape").size()];
                    long count = 1;
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = t.path("shape").get(i).asLong();
                        count *= shape[i];
                    }
                    long begin = t.path("data_offsets").path(0).asLong(-1);
                    long end = t.path("data_offsets").path(1).asLong(-1);
                    if (begin < 0 || end < begin || end > bodyLength || end - begin != count * bytesPer(dtype)
                            || end - begin > Integer.MAX_VALUE - 8) {
                        throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' has bad data_offsets [" + begin
                                + ", " + end + "] for shape " + java.util.Arrays.toString(shape) + " " + dtype);
                    }
                    entries.put(e.getKey(), new Entry(dtype, shape, begin, end));
                }
            } catch (IOException e) {
                closeQuietly();
                throw new UncheckedIOException(file + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                closeQuietly();
                throw e;
            }
        }

        private void readFully(ByteBuffer b, long position) throws IOException {
            while (b.hasRemaining()) {
                if (channel.read(b, position + b.position()) < 0) {
                    break;
                }
            }
        }

        private void closeQuietly() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the original failure is what the caller needs
            }
        }

        public Path file() {
            return file;
        }

        public Map<String, String> metadata() {
            return metadata;
        }

        /** Tensor names in file order. */
        public java.util.Set<String> names() {
            return java.util.Collections.unmodifiableSet(entries.keySet());
        }

        public long[] shape(String name) {
            return entry(name).shape().clone();
        }

        public String dtype(String name) {
            return entry(name).dtype();
        }

        private Entry entry(String name) {
            Entry e = entries.get(name);
            if (e == null) {
                throw new IllegalArgumentException(file + ": no tensor named '" + name + "'");
            }
            return e;
        }

        /** Reads one tensor's bytes. */
        public Tensor tensor(String name) {
            Entry e = entry(name);
            ByteBuffer b = ByteBuffer.allocate((int) (e.end() - e.begin()));
            try {
                readFully(b, dataStart + e.begin());
            } catch (IOException ex) {
                throw new UncheckedIOException(file + ": " + ex.getMessage(), ex);
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' is truncated");
            }
            return new Tensor(e.dtype(), e.shape().clone(), b.array());
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": " + e.getMessage(), e);
            }
        }
    }

    static String code(DataType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("no safetensors dtype for " + t);
        };
    }

    static DataType dataType(String code) {
        return switch (code) {
            case "F32" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new IllegalArgumentException("unsupported safetensors dtype '" + code + "'");
        };
    }

    static int bytesPer(String code) {
        return switch (code) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            default -> 1;
        };
    }
}
