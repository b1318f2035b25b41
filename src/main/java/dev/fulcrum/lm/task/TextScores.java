package dev.fulcrum.lm.task;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small text measures shared by the oracles. */
public final class TextScores {
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern ANSWER = Pattern.compile("Answer:\\s*(-?\\d+)");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    private TextScores() {
    }

    /** Edit distance (insertions, deletions, substitutions of UTF-16 units; the tasks' text is ASCII). */
    public static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** 1 - edit distance / longer length; 1 for two empty strings. */
    public static double similarity(String response, String target) {
        int longer = Math.max(response.length(), target.length());
        return longer == 0 ? 1.0 : 1.0 - (double) levenshtein(response, target) / longer;
    }

    /** Every integer in the text, in order (a minus sign directly before digits belongs to the number). */
    public static List<Long> integers(String text) {
        List<Long> out = new ArrayList<>();
        Matcher m = INTEGER.matcher(text);
        while (m.find()) {
            try {
                out.add(Long.parseLong(m.group()));
            } catch (NumberFormatException e) {
                // more digits than a long holds: not an answer we could have asked for
            }
        }
        return out;
    }

    /** The number after the last {@code Answer:}, else the last integer in the text; empty if there is none. */
    public static OptionalLong finalAnswer(String text) {
        Matcher m = ANSWER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        try {
            if (last != null) {
                return OptionalLong.of(Long.parseLong(last));
            }
            List<Long> all = integers(text);
            return all.isEmpty() ? OptionalLong.empty() : OptionalLong.of(all.getLast());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Credit for a numeric answer: 1 if exact, 0.5 / (1 + |error|) if wrong, 0 if there is no number. */
    public static double numericCredit(String response, long answer) {
        OptionalLong got = finalAnswer(response);
        if (got.isEmpty()) {
            return 0.0;
        }
        long error = Math.abs(got.getAsLong() - answer);
        return error == 0 ? 1.0 : 0.5 / (1.0 + error);
    }

    /** Lower-cased words (letter or digit runs). */
    public static Set<String> words(String text) {
        Set<String> out = new HashSet<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Number of white-space separated words. */
    public static int wordCount(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }
}
