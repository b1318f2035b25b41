package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A padded batch of token sequences on the Java side: {@code ids} and {@code mask} are row-major {@code [rows, length]},
 * {@code mask} 1 for real tokens and 0 for padding. Padding may sit on either side: position ids count real tokens only
 * ({@code position = number of real tokens before it}), so a row's numbers do not depend on how much padding it got.
 * Training and scoring pad on the right; batched generation pads prompts on the left so every row's next token lands
 * in the same column.
 */
public record TokenBatch(int rows, int length, long[] ids, boolean[] mask) {
    /** The additive attention bias of a masked (future or padding) key; finite so fully masked rows stay finite. */
    public static final double MASKED = -1e9;

    public TokenBatch {
        if (rows <= 0 || length <= 0) {
            throw new IllegalArgumentException("a token batch needs at least one row and one position, got " + rows + "x" + length);
        }
        if (ids.length != rows * length || mask.length != rows * length) {
            throw new IllegalArgumentException("ids and mask must hold rows * length = " + rows * length + " entries");
        }
    }

    public enum Padding {
        LEFT, RIGHT
    }

    /** Sequences padded to the longest one with {@code padId} (a valid token id; padding is never attended or scored). */
    public static TokenBatch of(List<int[]> sequences, int padId, Padding padding) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("a token batch needs at least one sequence");
        }
        int length = sequences.stream().mapToInt(s -> s.length).max().orElse(0);
        if (length == 0) {
            throw new IllegalArgumentException("every sequence of the batch is empty");
        }
        int rows = sequences.size();
        long[] ids = new long[rows * length];
        boolean[] mask = new boolean[rows * length];
        for (int r = 0; r < rows; r++) {
            int[] s = sequences.get(r);
            int offset = padding == Padding.LEFT ? length - s.length : 0;
            for (int j = 0; j < length; j++) {
                ids[r * length + j] = padId;
            }
            for (int j = 0; j < s.length; j++) {
                ids[r * length + offset + j] = s[j];
                mask[r * length + offset + j] = true;
            }
        }
        return new TokenBatch(rows, length, ids, mask);
    }

    public long id(int row, int column) {
        return ids[row * length + column];
    }

    public boolean real(int row, int column) {
        return mask[row * length + column];
    }

    /** Number of real tokens in {@code row}. */
    public int realTokens(int row) {
        int n = 0;
        for (int j = 0; j < length; j++) {
            n += mask[row * length + j] ? 1 : 0;
        }
        return n;
    }

    /** Ids as an int64 tensor {@code [rows, length]}. */
    public NDArray idTensor(NDManager manager) {
        return manager.create(ids, new Shape(rows, length));
    }

    /** Position ids (int64 {@code [rows, length]}): real tokens before each position, 0 on leading padding. */
    public long[] positions() {
        long[] pos = new long[rows * length];
        for (int r = 0; r < rows; r++) {
            long seen = 0;
            for (int j = 0; j < length; j++) {
                pos[r * length + j] = mask[r * length + j] ? seen++ : Math.max(0, seen - 1);
            }
        }
        return pos;
    }

    public NDArray positionTensor(NDManager manager) {
        return manager.create(positions(), new Shape(rows, length));
    }

    /**
     * The additive causal attention bias {@code [rows, 1, length, length]}: 0 where query {@code i} may attend key
     * {@code j} ({@code j <= i} and {@code j} is a real token), {@link #MASKED} elsewhere. Queries on padding attend to
     * nothing (their outputs are finite and unused).
     */
    public NDArray causalBias(NDManager manager, DataType dtype) {
        return AttentionBias.causal(manager, rows, length, 0, mask, length, dtype);
    }

    /** The mask as 0/1 values of {@code dtype}, {@code [rows, length]}. */
    public NDArray maskTensor(NDManager manager, DataType dtype) {
        float[] m = new float[rows * length];
        for (int i = 0; i < m.length; i++) {
            m[i] = mask[i] ? 1f : 0f;
        }
        NDArray a = manager.create(m, new Shape(rows, length));
        return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
    }
}
