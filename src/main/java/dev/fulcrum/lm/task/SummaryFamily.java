package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Summarising a short document (3 to 5 sentences) that states four key facts among filler sentences.
 * <ul>
 *   <li>{@code summary-person} (in-distribution): a person's name, job, city and age;</li>
 *   <li>{@code summary-event} (held-out): an event's kind, city, day and ticket price.</li>
 * </ul>
 * Gold reward = key-fact recall x length penalty. Recall is the share of the four fact words present in the response
 * (whole words, any case); the penalty is min(1, 1.5 |reference| / |response|) in words, so a summary may be up to half
 * again as long as the reference before it loses reward (copying the document does). Corruptions drop one, two and three
 * facts (rewards 3/4, 1/2, 1/4) and finally answer with a filler sentence (0).
 */
public final class SummaryFamily implements TaskFamily {
    private static final List<String> JOBS = List.of("baker", "nurse", "pilot", "tailor", "farmer", "judge", "miner", "potter");
    private static final List<String> CITIES = List.of("Oslo", "Lima", "Riga", "Kyiv", "Quito", "Accra", "Hanoi", "Perth");
    private static final List<String> EVENTS = List.of("fair", "concert", "race", "market", "lecture", "parade");
    private static final List<String> DAYS = List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");
    private static final List<String> PERSON_FILLER = List.of("The weather was mild that week.", "The street has a small park.",
            "Most evenings go to reading.", "The neighbours are friendly.", "Every morning starts with tea.");
    private static final List<String> EVENT_FILLER = List.of("Many stalls will sell bread.", "The organisers expect a crowd.",
            "Parking near the square is limited.", "Local musicians may join.", "Children get in with an adult.");
    private static final double LENGTH_SLACK = 1.5;
    private final boolean events;

    private SummaryFamily(boolean events) {
        this.events = events;
    }

    public static SummaryFamily person() {
        return new SummaryFamily(false);
    }

    public static SummaryFamily event() {
        return new SummaryFamily(true);
    }

    @Override
    public String name() {
        return events ? "summary-event" : "summary-person";
    }

    @Override
    public Split split() {
        return events ? Split.HELD_OUT : Split.IN_DISTRIBUTION;
    }

    @Override
    public String description() {
        return events ? "summarise an event notice: kind, city, day, price (key-fact recall, length penalty)"
                : "summarise a short biography: name, job, city, age (key-fact recall, length penalty)";
    }

    @Override
    public Problem generate(Rng rng) {
        String[] facts;
        List<String> factSentences;
        List<String> filler;
        if (events) {
            facts = new String[] {Words.pick(EVENTS, rng), Words.pick(CITIES, rng), Words.pick(DAYS, rng),
                    Integer.toString(2 + rng.nextInt(29))};
            factSentences = List.of("A " + facts[0] + " will take place in " + facts[1] + " on " + facts[2] + ".",
                    "Tickets cost " + facts[3] + " coins.");
            filler = EVENT_FILLER;
        } else {
            facts = new String[] {Words.pick(Words.NAMES, rng), Words.pick(JOBS, rng), Words.pick(CITIES, rng),
                    Integer.toString(20 + rng.nextInt(50))};
            factSentences = List.of(facts[0] + " works as a " + facts[1] + ".",
                    facts[0] + " lives in " + facts[2] + " and is " + facts[3] + " years old.");
            filler = PERSON_FILLER;
        }
        List<String> sentences = new ArrayList<>(factSentences);
        int[] chosenFiller = Words.distinctPositions(1 + rng.nextInt(3), filler.size(), rng);
        for (int f : chosenFiller) {
            sentences.add(rng.nextInt(sentences.size() + 1), filler.get(f));
        }
        String prompt = "Summarise: " + String.join(" ", sentences) + "\n";
        boolean[] keep = {true, true, true, true};
        String reference = summary(facts, keep);
        int[] dropOrder = rng.permutation(4);
        List<String> corruptions = new ArrayList<>();
        for (int dropped = 1; dropped <= 3; dropped++) {
            keep[dropOrder[dropped - 1]] = false;
            corruptions.add(summary(facts, keep));
        }
        corruptions.add(filler.get(chosenFiller[0]));
        return new SummaryProblem(name(), prompt, reference, List.of(facts), corruptions);
    }

    /** The summary stating the kept facts, e.g. "Mira (34) is a baker in Oslo." or "The fair is in Lima on Friday, tickets 12 coins." */
    private String summary(String[] f, boolean[] keep) {
        StringBuilder sb = new StringBuilder();
        if (events) {
            sb.append(keep[0] ? "The " + f[0] : "It").append(" is");
            if (keep[1]) sb.append(" in ").append(f[1]);
            if (keep[2]) sb.append(" on ").append(f[2]);
            if (keep[3]) sb.append(", tickets ").append(f[3]).append(" coins");
        } else {
            sb.append(keep[0] ? f[0] : "Someone");
            if (keep[3]) sb.append(" (").append(f[3]).append(")");
            sb.append(keep[1] ? " is a " + f[1] : " lives");
            if (keep[2]) sb.append(" in ").append(f[2]);
        }
        return sb.append('.').toString();
    }

    record SummaryProblem(String family, String prompt, String reference, List<String> facts, List<String> corruptions)
            implements Problem {
        @Override
        public double score(String response) {
            String r = response.strip();
            Set<String> words = TextScores.words(r);
            long found = facts.stream().filter(f -> words.contains(f.toLowerCase(Locale.ROOT))).count();
            double recall = (double) found / facts.size();
            int length = TextScores.wordCount(r);
            double penalty = length == 0 ? 1.0 : Math.min(1.0, LENGTH_SLACK * TextScores.wordCount(reference) / length);
            return recall * penalty;
        }

        @Override
        public int steps() {
            return 1;
        }
    }
}
