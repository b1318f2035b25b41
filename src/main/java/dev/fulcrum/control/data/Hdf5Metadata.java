package dev.fulcrum.control.data;

import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.EnumDataType;
import java.lang.reflect.Array;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Collects provenance from an HDF5 file as strings, for {@link D4rlHdf5}.
 *
 * <p>Taken, in this order (later sources win on a key collision): attributes of the root group (except {@code _jHDF},
 * the version stamp jhdf's writer puts there); then, from the
 * {@code metadata} group and the groups nested in it, attributes and scalar datasets. Keys of nested entries are their
 * path below {@code metadata}, e.g. {@code policy/nonlinearity} for {@code metadata/policy/nonlinearity} as D4RL stores
 * it. Values become text as follows: strings as they are (fixed-length and variable-length alike), integers and
 * floating-point numbers in Java's {@code toString} form, h5py booleans as {@code true}/{@code false}, one-dimensional
 * arrays of those as {@code [a, b, c]}. Anything else (multi-dimensional or non-scalar datasets such as policy weights,
 * compound or reference values, broken links) is skipped silently: metadata is informative, never required.
 */
final class Hdf5Metadata {
    /** Group nesting below {@code metadata} that is followed; deeper groups are skipped (and link cycles end). */
    private static final int MAX_DEPTH = 8;

    private Hdf5Metadata() {
    }

    /** Root attribute in which jhdf's writer records its own version: about the writer, not the data; skipped. */
    static final String JHDF_VERSION_ATTRIBUTE = "_jHDF";

    /** Root attributes, then everything text-like under {@code metadata/}; sorted by key. */
    static Map<String, String> read(Group root) {
        Map<String, String> out = new TreeMap<>();
        attributes(root, "", out);
        out.remove(JHDF_VERSION_ATTRIBUTE);
        Node meta = child(root, "metadata");
        if (meta instanceof Group g) {
            collect(g, "", 0, out);
        }
        return out;
    }

    private static void collect(Group group, String prefix, int depth, Map<String, String> out) {
        attributes(group, prefix, out);
        Map<String, Node> children;
        try {
            children = group.getChildren();
        } catch (RuntimeException e) {
            return;
        }
        for (Map.Entry<String, Node> e : new TreeMap<>(children).entrySet()) {
            try {
                Node node = e.getValue();
                if (node instanceof Group g) {
                    if (depth + 1 < MAX_DEPTH) {
                        collect(g, prefix + e.getKey() + "/", depth + 1, out);
                    }
                } else if (node instanceof Dataset ds && ds.isScalar()) {
                    text(ds.getData(), ds.getDataType()).ifPresent(v -> out.put(prefix + e.getKey(), v));
                }
            } catch (RuntimeException ignored) {
                // unreadable entries (broken links, unsupported types) carry no usable provenance
            }
        }
    }

    private static void attributes(Node node, String prefix, Map<String, String> out) {
        Map<String, Attribute> attributes;
        try {
            attributes = node.getAttributes();
        } catch (RuntimeException e) {
            return;
        }
        for (Map.Entry<String, Attribute> e : new TreeMap<>(attributes).entrySet()) {
            try {
                Attribute a = e.getValue();
                text(a.getData(), a.getDataType()).ifPresent(v -> out.put(prefix + e.getKey(), v));
            } catch (RuntimeException ignored) {
                // as above
            }
        }
    }

    private static Node child(Group group, String name) {
        try {
            return group.getChildren().get(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A value as text, or empty when it is not a scalar or a one-dimensional array of scalars. */
    static Optional<String> text(Object value, DataType type) {
        if (value == null) {
            return Optional.empty();
        }
        boolean enumType = type instanceof EnumDataType;
        if (!value.getClass().isArray()) {
            return scalar(value, enumType);
        }
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (int i = 0, n = Array.getLength(value); i < n; i++) {
            Object element = Array.get(value, i);
            if (element == null || element.getClass().isArray()) {
                return Optional.empty();
            }
            Optional<String> s = scalar(element, enumType);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            j.add(s.get());
        }
        return Optional.of(j.toString());
    }

    private static Optional<String> scalar(Object v, boolean enumType) {
        return switch (v) {
            case String s when enumType && (s.equals("TRUE") || s.equals("FALSE")) -> Optional.of(s.toLowerCase(Locale.ROOT));
            case String s -> Optional.of(s);
            case Number n -> Optional.of(n.toString());
            case Boolean b -> Optional.of(b.toString());
            case Character c -> Optional.of(c.toString());
            default -> Optional.empty();
        };
    }
}
