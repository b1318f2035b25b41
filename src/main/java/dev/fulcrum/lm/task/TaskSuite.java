package dev.fulcrum.lm.task;

import dev.fulcrum.core.rng.Rng;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The task families and reproducible problem generation. Problem {@code i} of family {@code f} under seed {@code s} is
 * drawn from {@code new Rng(s).split(f).split("problem-" + i)}, so any problem can be regenerated from (family, seed,
 * index) alone, independently of how many others were made.
 */
public final class TaskSuite {
    private static final List<TaskFamily> FAMILIES = List.of(
            ArithmeticFamily.addition(), SortFamily.ascending(), StringTransformFamily.reverse(), StringTransformFamily.uppercase(),
            ToolUseFamily.calculator(), ToolUseFamily.price(), SummaryFamily.person(),
            ArithmeticFamily.multiplication(), SortFamily.descending(), StringTransformFamily.dedupe(), ToolUseFamily.basket(),
            SummaryFamily.event(),
            ShopFamily.shop());

    private TaskSuite() {
    }

    public static List<TaskFamily> families() {
        return FAMILIES;
    }

    public static List<TaskFamily> families(Split split) {
        return FAMILIES.stream().filter(f -> f.split() == split).toList();
    }

    public static TaskFamily family(String name) {
        for (TaskFamily f : FAMILIES) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown task family '" + name + "' (families: "
                + String.join(", ", FAMILIES.stream().map(TaskFamily::name).toList()) + ")");
    }

    /**
     * Families named by a comma-separated list of family names and the groups {@code all}, {@code in-distribution},
     * {@code held-out} and {@code complex}; order kept, duplicates dropped.
     */
    public static List<TaskFamily> select(String spec) {
        Set<TaskFamily> out = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String name = part.strip();
            switch (name) {
                case "" -> throw new IllegalArgumentException("empty family name in task list '" + spec + "'");
                case "all" -> out.addAll(FAMILIES);
                case "in-distribution" -> out.addAll(families(Split.IN_DISTRIBUTION));
                case "held-out" -> out.addAll(families(Split.HELD_OUT));
                case "complex" -> out.addAll(families(Split.COMPLEX));
                default -> out.add(family(name));
            }
        }
        return List.copyOf(out);
    }

    public static Problem problem(String family, long seed, int index) {
        return family(family).generate(new Rng(seed).split(family).split("problem-" + index));
    }

    /** Problems 0..count-1 of a family. */
    public static List<Problem> problems(TaskFamily family, long seed, int count) {
        List<Problem> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(problem(family.name(), seed, i));
        }
        return out;
    }
}
