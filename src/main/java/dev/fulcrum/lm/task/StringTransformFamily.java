package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Character-level transforms of a lower-case pseudo-word (4 to 9 letters after the transform).
 * <ul>
 *   <li>{@code str-reverse} (in-distribution): {@code reverse: kamoti} gives {@code itomak};</li>
 *   <li>{@code str-upper} (in-distribution): {@code uppercase: kamoti} gives {@code KAMOTI};</li>
 *   <li>{@code str-dedupe} (held-out): {@code dedupe: banana} gives {@code ban} (first occurrence of each letter).</li>
 * </ul>
 * Gold reward: 1 - edit distance / longer length ({@link TextScores#similarity}). Corruptions replace 1, 2, n-1 and n letters
 * of the n-letter answer by digits, which never occur in answers, so the edit distance is exactly the number replaced
 * (each digit must be edited away, and substituting it suffices): rewards (n-1)/n, (n-2)/n, 1/n; the last replaces all n
 * (0).
 */
public final class StringTransformFamily implements TaskFamily {
    private final String name;
    private final String verb;
    private final Split split;
    private final UnaryOperator<String> transform;

    private StringTransformFamily(String name, String verb, Split split, UnaryOperator<String> transform) {
        this.name = name;
        this.verb = verb;
        this.split = split;
        this.transform = transform;
    }

    public static StringTransformFamily reverse() {
        return new StringTransformFamily("str-reverse", "reverse", Split.IN_DISTRIBUTION,
                s -> new StringBuilder(s).reverse().toString());
    }

    public static StringTransformFamily uppercase() {
        return new StringTransformFamily("str-upper", "uppercase", Split.IN_DISTRIBUTION, s -> s.toUpperCase(Locale.ROOT));
    }

    public static StringTransformFamily dedupe() {
        return new StringTransformFamily("str-dedupe", "dedupe", Split.HELD_OUT, s -> {
            StringBuilder sb = new StringBuilder();
            new LinkedHashSet<>(s.chars().boxed().toList()).forEach(c -> sb.append((char) c.intValue()));
            return sb.toString();
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Split split() {
        return split;
    }

    @Override
    public String description() {
        return switch (verb) {
            case "reverse" -> "reverse a pseudo-word letter by letter";
            case "uppercase" -> "write a pseudo-word in capitals";
            default -> "drop repeated letters of a pseudo-word, keeping first occurrences";
        };
    }

    @Override
    public Problem generate(Rng rng) {
        String word;
        String target;
        do {
            word = Words.pseudoWord(2 + rng.nextInt(3), rng);
            target = transform.apply(word);
        } while (target.length() < 4);
        int n = target.length();
        return new SimilarityProblem(name, verb + ": " + word + "\n", target, List.of(
                withDigits(target, Words.distinctPositions(1, n, rng), rng),
                withDigits(target, Words.distinctPositions(2, n, rng), rng),
                withDigits(target, Words.distinctPositions(n - 1, n, rng), rng),
                withDigits(target, Words.distinctPositions(n, n, rng), rng)), 1);
    }

    private static String withDigits(String s, int[] positions, Rng rng) {
        char[] c = s.toCharArray();
        for (int p : positions) {
            c[p] = (char) ('0' + rng.nextInt(10));
        }
        return new String(c);
    }

    /** A problem graded by edit-distance similarity to one target string. */
    record SimilarityProblem(String family, String prompt, String reference, List<String> corruptions, int steps)
            implements Problem {
        @Override
        public double score(String response) {
            return TextScores.similarity(response.strip(), reference);
        }
    }
}
