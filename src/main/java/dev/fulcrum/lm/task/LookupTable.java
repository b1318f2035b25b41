package dev.fulcrum.lm.task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code lookup} tool's fixed table: the price (coins) and weight (grams, in tens) of each item. The values are made
 * up, so a model can only know them by calling the tool.
 *
 * <pre>
 *   item   apple pear plum fig kiwi lime melon grape peach mango
 *   price      2    3    4   5    3    2     7     6     4     8
 *   weight    15   17    8   5    9    6    90    12    16    25
 * </pre>
 */
public final class LookupTable {
    public static final List<String> ITEMS = List.of("apple", "pear", "plum", "fig", "kiwi", "lime", "melon", "grape", "peach", "mango");
    private static final int[] PRICE = {2, 3, 4, 5, 3, 2, 7, 6, 4, 8};
    private static final int[] WEIGHT = {15, 17, 8, 5, 9, 6, 90, 12, 16, 25};
    private static final Map<String, int[]> TABLES = new LinkedHashMap<>();

    static {
        TABLES.put("price", PRICE);
        TABLES.put("weight", WEIGHT);
    }

    private LookupTable() {
    }

    public static List<String> tables() {
        return List.copyOf(TABLES.keySet());
    }

    /** The value of {@code key} in {@code table} (both trimmed and case-insensitive). */
    public static long get(String table, String key) {
        int[] values = TABLES.get(table.strip().toLowerCase(Locale.ROOT));
        if (values == null) {
            throw new IllegalArgumentException("no table '" + table.strip() + "' (tables: " + String.join(", ", TABLES.keySet()) + ")");
        }
        int i = ITEMS.indexOf(key.strip().toLowerCase(Locale.ROOT));
        if (i < 0) {
            throw new IllegalArgumentException("no item '" + key.strip() + "' in table " + table.strip());
        }
        return values[i];
    }
}
