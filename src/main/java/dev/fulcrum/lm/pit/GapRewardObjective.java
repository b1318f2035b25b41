package dev.fulcrum.lm.pit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.reward.BradleyTerry;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.LmObjective;
import dev.fulcrum.lm.train.PromptSplit;
import dev.fulcrum.lm.train.RewardObjective;
import dev.fulcrum.lm.train.RewardSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PIT's gap reward model {@code R_PIT(x, y_ref, y)} (Wang et al. 2023): a {@link RewardModel} read on
 * {@code <bos> revise(x, y_ref) y <eos>}, trained with the Bradley-Terry loss of {@link BradleyTerry} over the five
 * orderings {@link GapOrdering#of} makes of every preference pair {@code (x, yw, yl)}:
 * <pre>
 *   L = mean_{(x, hi, lo)} [ -log sigma(R(x, hi) - R(x, lo)) ] + c mean (R(x, hi) + R(x, lo))^2
 * </pre>
 * over all orderings of the batch's pairs (one forward pass for the ten sequences of a pair). The loss is the project's
 * reward-model loss unchanged; what is PIT's is which sequences are compared. The trained model is saved as any reward
 * model directory, so {@code PpoMax} reads it as its reward model on revision prompts.
 *
 * <p>Held-out evaluation: the pairs of a random {@code reward.heldOutFraction} of the task prompts are never trained on;
 * on them it reports the share of orderings ranked right, overall and per ordering ({@code heldout_accuracy.wl>ww}, ...).
 */
public final class GapRewardObjective implements LmObjective {
    private final RewardModel model;
    private final Tokenizer tokenizer;
    private final RewardSettings settings;
    private final String dataPath;
    /** Training pairs: each holds its five orderings. */
    private final List<List<Ordered>> train = new ArrayList<>();
    private final List<Ordered> heldOut = new ArrayList<>();
    private final List<Ordered> trainProbe;
    private final int prompts;
    private final int heldOutPrompts;
    private Map<String, Double> lastEvaluation;

    /** One ordering as token sequences. */
    record Ordered(String name, int[] higher, int[] lower) {
    }

    public GapRewardObjective(RewardModel model, Tokenizer tokenizer, List<PreferenceExample> data, String dataPath,
                              RewardSettings settings, Rng split) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException(dataPath + ": no preference pairs");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.dataPath = dataPath;
        List<String> rowPrompts = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            rowPrompts.add(text(data.get(i).prompt(), i, "prompt"));
        }
        PromptSplit byPrompt = PromptSplit.of(rowPrompts, settings.heldOutFraction(), split, dataPath, "reward.heldOutFraction");
        prompts = byPrompt.prompts();
        heldOutPrompts = byPrompt.heldOutPrompts();
        for (int i = 0; i < data.size(); i++) {
            PreferenceExample e = data.get(i);
            String x = rowPrompts.get(i);
            List<Ordered> orderings = new ArrayList<>(5);
            for (GapOrdering o : GapOrdering.of(text(e.chosen(), i, "chosen"), text(e.rejected(), i, "rejected"))) {
                orderings.add(new Ordered(o.name(), sequence(x, o.higher(), i), sequence(x, o.lower(), i)));
            }
            if (byPrompt.heldOut()[i]) {
                heldOut.addAll(orderings);
            } else {
                train.add(orderings);
            }
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException(dataPath + ": every pair is held out; lower reward.heldOutFraction");
        }
        int[] order = split.split("train-probe").permutation(train.size());
        int probePairs = Math.min(train.size(), Math.max(heldOut.size() / 5, 64));
        trainProbe = Arrays.stream(order, 0, probePairs).mapToObj(train::get).flatMap(List::stream).toList();
    }

    private String text(Content c, int row, String field) {
        if (c instanceof Content.Text t) {
            return t.text();
        }
        throw new IllegalArgumentException(dataPath + ": pair " + (row + 1) + ": field '" + field + "' is conversational; PIT's "
                + "revision prompt needs plain-text rows (prompt/chosen/rejected strings)");
    }

    /** {@code <bos> revise(x, y_ref) y <eos>}, as PPO scores a rollout on a revision prompt. */
    private int[] sequence(String x, GapOrdering.Revision r, int row) {
        return RewardObjective.sequence(tokenizer, r.prompt(x), r.response(), model.config().maxPositions(),
                dataPath + ": pair " + (row + 1) + ": a revision sequence");
    }

    @Override
    public String name() {
        return "pit-reward";
    }

    public RewardModel model() {
        return model;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return model.parameters();
    }

    @Override
    public int[] exampleLengths() {
        return train.stream().mapToInt(pair -> pair.stream().mapToInt(o -> Math.max(o.higher().length, o.lower().length)).max()
                .orElseThrow()).toArray();
    }

    @Override
    public BatchLoss loss(NDManager manager, int[] batch) {
        List<int[]> rows = new ArrayList<>();
        List<int[]> lower = new ArrayList<>();
        long tokens = 0;
        for (int i : batch) {
            for (Ordered o : train.get(i)) {
                rows.add(o.higher());
                lower.add(o.lower());
                tokens += o.higher().length + o.lower().length;
            }
        }
        int n = rows.size();
        rows.addAll(lower);
        NDArray rewards = model.rewards(manager, rows);
        NDArray hi = rewards.get(new NDIndex("0:{}", n));
        NDArray lo = rewards.get(new NDIndex("{}:", n));
        NDArray loss = BradleyTerry.loss(hi, lo, settings.centering()).mean();
        return new BatchLoss(loss, tokens, BradleyTerry.metrics(hi, lo));
    }

    @Override
    public Map<String, Double> evaluate(NDManager manager) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_accuracy", accuracy(manager, trainProbe).get("accuracy"));
        if (!heldOut.isEmpty()) {
            accuracy(manager, heldOut).forEach((k, v) -> m.put("heldout_" + k, v));
        }
        lastEvaluation = m;
        return m;
    }

    /** Share of {@code orderings} the model ranks right (strictly), overall and per ordering name; mean margin. */
    Map<String, Double> accuracy(NDManager manager, List<Ordered> orderings) {
        List<int[]> seqs = new ArrayList<>(2 * orderings.size());
        for (Ordered o : orderings) {
            seqs.add(o.higher());
            seqs.add(o.lower());
        }
        double[] r = model.score(manager, seqs, 2 * settings.evalBatchSize());
        Map<String, double[]> byName = new LinkedHashMap<>();
        GapOrdering.NAMES.forEach(name -> byName.put(name, new double[2]));
        int right = 0;
        double margin = 0;
        for (int i = 0; i < orderings.size(); i++) {
            double d = r[2 * i] - r[2 * i + 1];
            right += d > 0 ? 1 : 0;
            margin += d;
            double[] c = byName.get(orderings.get(i).name());
            c[0]++;
            c[1] += d > 0 ? 1 : 0;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", (double) right / orderings.size());
        m.put("margin", margin / orderings.size());
        byName.forEach((name, c) -> {
            if (c[0] > 0) {
                m.put("accuracy." + name, c[1] / c[0]);
            }
        });
        return m;
    }

    /** The held-out orderings (for tests and reports). */
    List<Ordered> heldOutOrderings() {
        return heldOut;
    }

    @Override
    public void export(Path dir, Path tokenizerDir) {
        model.save(dir, tokenizerDir, tokenizer.special().pad());
    }

    @Override
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("data", Map.of("path", dataPath, "pairs", train.size() + heldOut.size() / 5, "orderings_per_pair", 5,
                "prompts", prompts, "train_pairs", train.size(), "heldout_pairs", heldOut.size() / 5,
                "heldout_prompts", heldOutPrompts));
        s.put("orderings", GapOrdering.NAMES);
        s.put("parameters", model.parameterCount());
        s.put("centering", settings.centering());
        if (lastEvaluation != null) {
            s.put("evaluation", lastEvaluation);
        }
        return s;
    }
}
