package dev.fulcrum.experiment.lm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The cells of the "Unpacking DPO and PPO" ablation (Ivison et al. 2024) and the one-factor steps between them. The paper
 * changes one factor at a time from a baseline rather than running the full factorial; so does this grid:
 *
 * <pre>
 *   dpo-low-data                          DPO on low-quality pairs                    (baseline)
 *   dpo                                   DPO on high-quality pairs                   (data quality)
 *   ppo-small-rm                          PPO, RM smaller than the policy              (algorithm)
 *   ppo                                   PPO, RM the policy's size                    (reward model size)
 *   ppo-extra-prompts                     PPO, same RM, 4x the prompts (unlabelled)    (prompts)
 * </pre>
 *
 * PPO's reward model is trained on the same high-quality pairs as DPO's; its policy trains on the labelled prompts or
 * on those plus further unlabelled prompts of the same families.
 */
public final class UnpackingGrid {
    /** Preference-data quality (factor 1). */
    public enum Data { LOW, HIGH }

    /** Learning algorithm (factor 2). */
    public enum Algorithm { DPO, PPO }

    /** The reward model's size relative to the policy (factor 3); {@code NONE} for DPO. */
    public enum RewardModel { NONE, SMALLER, POLICY_SIZE }

    /** PPO's rollout prompts (factor 4): the labelled prompts only, or those and more unlabelled ones; {@code LABELLED} for DPO. */
    public enum Prompts { LABELLED, EXTRA }

    /** One cell: a setting of the four factors. */
    public record Cell(String name, Data data, Algorithm algorithm, RewardModel rewardModel, Prompts prompts) {
        public Cell {
            if ((algorithm == Algorithm.DPO) != (rewardModel == RewardModel.NONE)) {
                throw new IllegalArgumentException(name + ": PPO needs a reward model and DPO has none");
            }
            if (algorithm == Algorithm.DPO && prompts != Prompts.LABELLED) {
                throw new IllegalArgumentException(name + ": DPO trains on the labelled pairs only");
            }
        }
    }

    /**
     * One factor changed between two cells: the effect of {@code factor} is {@code to - from}.
     *
     * @param primary whether this step is one of the four of the incremental design (the factor ranking uses those only);
     *                the others are supplementary comparisons
     */
    public record Step(String factor, String from, String to, String change, boolean primary) {
    }

    public static final List<Cell> CELLS = List.of(
            new Cell("dpo-low-data", Data.LOW, Algorithm.DPO, RewardModel.NONE, Prompts.LABELLED),
            new Cell("dpo", Data.HIGH, Algorithm.DPO, RewardModel.NONE, Prompts.LABELLED),
            new Cell("ppo-small-rm", Data.HIGH, Algorithm.PPO, RewardModel.SMALLER, Prompts.LABELLED),
            new Cell("ppo", Data.HIGH, Algorithm.PPO, RewardModel.POLICY_SIZE, Prompts.LABELLED),
            new Cell("ppo-extra-prompts", Data.HIGH, Algorithm.PPO, RewardModel.POLICY_SIZE, Prompts.EXTRA));

    public static final List<Step> STEPS = List.of(
            new Step("data quality", "dpo-low-data", "dpo", "low-quality -> high-quality pairs (DPO)", true),
            new Step("algorithm", "dpo", "ppo-small-rm", "DPO -> PPO with the smaller reward model", true),
            new Step("reward model size", "ppo-small-rm", "ppo", "smaller -> policy-sized reward model (PPO)", true),
            new Step("prompts", "ppo", "ppo-extra-prompts", "labelled prompts -> 4x prompts, the extra ones unlabelled (PPO)", true),
            new Step("algorithm (policy-sized RM)", "dpo", "ppo", "DPO -> PPO with the policy-sized reward model", false));

    private static final Map<String, Cell> BY_NAME = CELLS.stream().collect(Collectors.toMap(Cell::name, Function.identity()));

    private UnpackingGrid() {
    }

    public static Cell cell(String name) {
        Cell c = BY_NAME.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown cell '" + name + "' (cells: " + String.join(", ", names()) + ")");
        }
        return c;
    }

    public static List<String> names() {
        return CELLS.stream().map(Cell::name).toList();
    }

    /** The named cells in grid order (an unknown name fails). */
    public static List<Cell> select(List<String> names) {
        names.forEach(UnpackingGrid::cell);
        return CELLS.stream().filter(c -> names.contains(c.name())).toList();
    }

    /** The steps whose two cells are both among {@code cells}. */
    public static List<Step> steps(List<Cell> cells) {
        List<String> present = cells.stream().map(Cell::name).toList();
        List<Step> out = new ArrayList<>();
        for (Step s : STEPS) {
            if (present.contains(s.from()) && present.contains(s.to())) {
                out.add(s);
            }
        }
        return out;
    }

    /** The factors one step changes: the names of the fields that differ between its two cells. */
    static List<String> changedFactors(Step s) {
        Cell a = cell(s.from()), b = cell(s.to());
        List<String> changed = new ArrayList<>();
        if (a.data() != b.data()) {
            changed.add("data");
        }
        if (a.algorithm() != b.algorithm()) {
            changed.add("algorithm");
        }
        if (a.rewardModel() != b.rewardModel() && a.algorithm() == b.algorithm()) {
            changed.add("rewardModel");
        }
        if (a.prompts() != b.prompts()) {
            changed.add("prompts");
        }
        return changed;
    }
}
