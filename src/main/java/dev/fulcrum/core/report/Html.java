package dev.fulcrum.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Small pieces of self-contained HTML for reports: escaping, a page with inline style, tables, embedded PNGs. */
public final class Html {
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#222;
            padding:0 1em}h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;
            vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
            img{max-width:100%;border:1px solid #eee}pre{background:#f7f7f7;padding:.6em;overflow-x:auto}
            .note{color:#555;font-size:.92em}""";

    private Html() {
    }

    /** Escapes text for element content and double-quoted attribute values. */
    public static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A complete page: UTF-8, inline style, the title as the first heading. {@code body} is HTML. */
    public static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
                + "</title>\n<style>\n" + STYLE + "\n</style>\n</head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body
                + "</body>\n</html>\n";
    }

    /** A table; header and cell texts are escaped; cells that parse as numbers are right-aligned. */
    public static String table(List<String> header, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table>\n<tr>");
        header.forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
        b.append("</tr>\n");
        for (List<String> row : rows) {
            b.append("<tr>");
            for (String cell : row) {
                b.append(looksNumeric(cell) ? "<td class=\"num\">" : "<td>").append(escape(cell)).append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    /** A two-column key/value table of a JSON object flattened to dotted keys. */
    public static String keyValueTable(JsonNode object) {
        List<List<String>> rows = new java.util.ArrayList<>();
        flatten("", object, rows);
        return table(List.of("key", "value"), rows);
    }

    private static void flatten(String prefix, JsonNode node, List<List<String>> rows) {
        if (node.isObject() && !node.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), rows);
            }
        } else {
            rows.add(List.of(prefix, node.isValueNode() ? node.asText() : node.toString()));
        }
    }

    /** An {@code <img>} with the PNG embedded as a base64 data URI, so the page needs no other file. */
    public static String embeddedPng(Path png, String alt) {
        try {
            return "<img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(Files.readAllBytes(png)) + "\">\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + png + ": " + e.getMessage(), e);
        }
    }

    /** A number with two decimals; "n/a" for NaN. */
    public static String fixed(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.2f", x);
    }

    /** A p-value or probability with three significant digits; "n/a" for NaN. */
    public static String p(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.3g", x);
    }

    private static boolean looksNumeric(String s) {
        return s.matches("[-+]?\\d[\\d.,eE+\\-]*") || s.equals("n/a");
    }
}
