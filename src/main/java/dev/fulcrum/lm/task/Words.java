package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;
import java.util.List;

/** The small fixed vocabularies the task generators draw from. */
final class Words {
    static final List<String> NAMES = List.of("Ann", "Bob", "Mira", "Tom", "Lea", "Sam", "Ivo", "Nora", "Eli", "Kai", "Uma", "Raj");
    static final List<String> SYLLABLES = List.of("ka", "mo", "ti", "ra", "ne", "lu", "so", "vi", "de", "pa", "gu", "ze", "bo", "fi");

    private Words() {
    }

    static <T> T pick(List<T> list, Rng rng) {
        return list.get(rng.nextInt(list.size()));
    }

    /** A pronounceable lower-case pseudo-word of {@code syllables} syllables. */
    static String pseudoWord(int syllables, Rng rng) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < syllables; i++) {
            sb.append(pick(SYLLABLES, rng));
        }
        return sb.toString();
    }

    /** {@code count} distinct indices of [0, n), in increasing order. */
    static int[] distinctPositions(int count, int n, Rng rng) {
        int[] perm = rng.permutation(n);
        int[] out = java.util.Arrays.copyOf(perm, count);
        java.util.Arrays.sort(out);
        return out;
    }
}
