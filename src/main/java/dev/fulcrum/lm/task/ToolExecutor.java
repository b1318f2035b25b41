package dev.fulcrum.lm.task;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the tool calls in a transcript. The call syntax, fixed for every tool-use task:
 * <pre>
 *   &lt;call&gt;calc(EXPR)&lt;/call&gt;&lt;result&gt;VALUE&lt;/result&gt;             integer arithmetic, see {@link Calculator}
 *   &lt;call&gt;lookup(TABLE, ITEM)&lt;/call&gt;&lt;result&gt;VALUE&lt;/result&gt;     a value from {@link LookupTable}
 *   Answer: N                                                    the final answer, after the last call
 * </pre>
 * A model writes the call; the executor writes the result directly after {@code </call>}. A failed call's result is
 * {@code error: REASON}. During generation, stop when the text ends with {@code </call>} ({@link #awaitsResult}), append
 * {@link #resultFor} of the call, and continue; {@link #run} (re)writes every result of a finished transcript, so results
 * a model made up itself are replaced by the true ones.
 */
public final class ToolExecutor {
    private static final Pattern CALL = Pattern.compile("<call>(.*?)</call>(<result>(.*?)</result>)?", Pattern.DOTALL);
    private static final Pattern BODY = Pattern.compile("\\s*([a-z]+)\\s*\\((.*)\\)\\s*", Pattern.DOTALL);

    /**
     * One call found in a transcript.
     *
     * @param start         index of {@code <call>}
     * @param end           index just past {@code </call>}
     * @param body          the text between the tags, e.g. {@code calc(3*4)}
     * @param writtenResult the result text that follows, or null if no {@code <result>} follows directly
     * @param resultEnd     index just past the written result (= end when there is none)
     */
    public record Call(int start, int end, String body, String writtenResult, int resultEnd) {
        /** The tool's name, or "" if the body is not of the form {@code name(args)}. */
        public String tool() {
            Matcher m = BODY.matcher(body);
            return m.matches() ? m.group(1) : "";
        }

        /** The comma-separated arguments, trimmed. */
        public List<String> arguments() {
            Matcher m = BODY.matcher(body);
            if (!m.matches()) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String a : m.group(2).split(",", -1)) {
                out.add(a.strip());
            }
            return out;
        }
    }

    private ToolExecutor() {
    }

    public static List<Call> calls(String transcript) {
        List<Call> out = new ArrayList<>();
        Matcher m = CALL.matcher(transcript);
        while (m.find()) {
            out.add(new Call(m.start(), m.start() + 6 + m.group(1).length() + 7, m.group(1), m.group(3), m.end()));
        }
        return out;
    }

    /** The result of one call body such as {@code calc(3*4)} or {@code lookup(price, fig)}; failures as {@code error: ...}. */
    public static String resultFor(String body) {
        Matcher m = BODY.matcher(body);
        if (!m.matches()) {
            return "error: a call is written name(arguments)";
        }
        String args = m.group(2);
        try {
            return switch (m.group(1)) {
                case "calc" -> Long.toString(Calculator.evaluate(args));
                case "lookup" -> {
                    String[] parts = args.split(",", -1);
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("lookup takes (table, item)");
                    }
                    yield Long.toString(LookupTable.get(parts[0], parts[1]));
                }
                default -> throw new IllegalArgumentException("unknown tool '" + m.group(1) + "' (tools: calc, lookup)");
            };
        } catch (IllegalArgumentException | ArithmeticException e) {
            return "error: " + e.getMessage();
        }
    }

    /** Whether the transcript ends with a call that has no result yet (generation should pause for the executor). */
    public static boolean awaitsResult(String transcript) {
        List<Call> calls = calls(transcript);
        return !calls.isEmpty() && calls.getLast().writtenResult() == null && transcript.strip().endsWith("</call>")
                && calls.getLast().end() >= transcript.stripTrailing().length();
    }

    /** The transcript with every call's result written by the executor (made-up results replaced, missing ones added). */
    public static String run(String transcript) {
        StringBuilder sb = new StringBuilder();
        int at = 0;
        for (Call c : calls(transcript)) {
            sb.append(transcript, at, c.end()).append("<result>").append(resultFor(c.body())).append("</result>");
            at = c.resultEnd();
        }
        return sb.append(transcript.substring(at)).toString();
    }
}
