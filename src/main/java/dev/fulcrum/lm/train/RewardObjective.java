package dev.fulcrum.lm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.ChatTemplate;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.reward.BradleyTerry;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Bradley-Terry reward model ({@link RewardModel}) trained on preference pairs with the centred loss of
 * {@link BradleyTerry}:
 * <pre>
 *   L = mean_i [ -log sigma(r(x_i, yw_i) - r(x_i, yl_i)) ] + c mean_i (r(x_i, yw_i) + r(x_i, yl_i))^2
 * </pre>
 * With {@code reward.lmWeight = lambda > 0} (the heads that read the trunk's own likelihood) the trunk's next-token
 * loss on the chosen responses is added, the SFT regulariser of GRM (Yang et al. 2024, "Regularizing Hidden States
 * Enables Learning Generalizable Reward Model for LLMs", sec. 3.2), which keeps the predictions the likelihood term
 * reads from eroding:
 * <pre>
 *   L += lambda * ( - sum_i sum_{t in yw_i} log p(z_t | z_{&lt;t}) ) / sum_i |yw_i|        (|yw| counts &lt;eos&gt;)
 * </pre>
 * With {@code reward.klWeight = kappa > 0} (any likelihood head) the trunk's next-token distributions on the response
 * positions of both responses are held to the initial model's (a frozen copy, or the reference of a
 * reference-likelihood or dual head), a label-free anchor in the spirit of GRM's text-generation regularisers that does
 * not take the chosen response for a correct one:
 * <pre>
 *   L += kappa * sum_{y in {yw_i, yl_i}} sum_{t in y} KL(p_init(. | z_{&lt;t}) || p(. | z_{&lt;t})) / sum_{y} |y|
 * </pre>
 * Both responses of a batch go through one forward pass ({@code <bos> prompt response <eos>}); the reward is read at the
 * last token, and with {@code reward.head=last-token+likelihood} (or {@code last-token+reference-likelihood}, or
 * {@code last-token+dual-likelihood}) also from the response's gated token log-probabilities (the trunk's own, a frozen
 * reference's, or both; {@link RewardModel}).
 *
 * <p>Held-out evaluation: the pairs of a random {@code reward.heldOutFraction} of the prompts are never trained on. On
 * them it reports the model's pairwise accuracy against the data's labels, and, when the rows carry the oracle's columns
 * ({@code lm make-data}), what the labelling oracle itself achieves on the same pairs: its expected accuracy
 * {@code mean max(p, 1 - p)} (a Bradley-Terry oracle labels the better response with probability {@code p}, so no model
 * can expect more), its accuracy on the drawn labels ({@code p_chosen > 1/2}), and the model's agreement with the gold
 * reward's order on pairs of unequal gold reward.
 */
public final class RewardObjective implements LmObjective {
    private final ChatTemplate chat;
    private final RewardModel model;
    private final DecoderLm anchor; // the frozen initial model the trunk's predictions are held to, or null
    private final Tokenizer tokenizer;
    private final RewardSettings settings;
    private final String dataPath;
    private final List<Pair> train = new ArrayList<>();
    private final List<Pair> heldOut = new ArrayList<>();
    private final List<Pair> trainProbe;
    private final int prompts;
    private final int heldOutPrompts;
    private Map<String, Double> lastEvaluation;

    /**
     * A tokenized pair with the oracle's columns (NaN when absent); {@code responseStart} is where both responses begin in
     * their sequences.
     */
    record Pair(int[] chosen, int[] rejected, int responseStart, String family, double pChosen, double chosenGold,
                double rejectedGold) {
    }

    public RewardObjective(RewardModel model, Tokenizer tokenizer, List<PreferenceExample> data, String dataPath,
                           RewardSettings settings, Rng split) {
        this(model, tokenizer, data, dataPath, settings, split, ChatTemplate.chatml());
    }

    /** Conversational pairs are rendered with {@code chat} (prompt with the generation prompt, then the response turn). */
    public RewardObjective(RewardModel model, Tokenizer tokenizer, List<PreferenceExample> data, String dataPath,
                           RewardSettings settings, Rng split, ChatTemplate chat) {
        this.chat = chat;
        if (data.isEmpty()) {
            throw new IllegalArgumentException(dataPath + ": no preference pairs");
        }
        this.model = model;
        this.anchor = settings.klWeight() > 0 ? model.frozenAnchor() : null;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.dataPath = dataPath;
        List<String> rowPrompts = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            rowPrompts.add(rendered(data.get(i).prompt(), data.get(i).chosen(), i).prompt());
        }
        PromptSplit byPrompt = PromptSplit.of(rowPrompts, settings.heldOutFraction(), split, dataPath, "reward.heldOutFraction");
        prompts = byPrompt.prompts();
        heldOutPrompts = byPrompt.heldOutPrompts();
        for (int i = 0; i < data.size(); i++) {
            PreferenceExample e = data.get(i);
            ChatTemplate.Rendered chosen = rendered(e.prompt(), e.chosen(), i), rejected = rendered(e.prompt(), e.rejected(), i);
            String prompt = chosen.prompt();
            int[] promptIds = tokenizer.encode(prompt); // once for both responses and the response start
            Pair p = new Pair(sequence(promptIds, chosen.completion(), i), sequence(promptIds, rejected.completion(), i),
                    responseStart(tokenizer, promptIds), e.extra().containsKey("family") ? e.extra().get("family").asText() : "",
                    number(e.extra().get("p_chosen")), number(e.extra().get("chosen_reward")), number(e.extra().get("rejected_reward")));
            (byPrompt.heldOut()[i] ? heldOut : train).add(p);
        }
        Rng probe = split.split("train-probe");
        int[] probeOrder = probe.permutation(train.size());
        int probeSize = Math.min(train.size(), Math.max(heldOut.size(), 256));
        trainProbe = Arrays.stream(probeOrder, 0, probeSize).mapToObj(train::get).toList();
    }

    /** Prompt and response as text: as given, or rendered with the chat template for conversational rows. */
    private ChatTemplate.Rendered rendered(Content prompt, Content response, int row) {
        try {
            return chat.apply(prompt, response);
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException(dataPath + ": pair " + (row + 1) + ": " + bad.getMessage(), bad);
        }
    }

    private int[] sequence(int[] promptIds, String response, int row) {
        return sequence(tokenizer, promptIds, response, model.config().maxPositions(), dataPath + ": pair " + (row + 1));
    }

    /**
     * The tokens a reward model reads for one response: {@code <bos> prompt response <eos>} (the special tokens where the
     * tokenizer has them); {@code where} names the row in the error when the sequence is empty or longer than
     * {@code maxPositions}.
     */
    public static int[] sequence(Tokenizer tokenizer, String prompt, String response, int maxPositions, String where) {
        return sequence(tokenizer, tokenizer.encode(prompt), response, maxPositions, where);
    }

    private static int[] sequence(Tokenizer tokenizer, int[] p, String response, int maxPositions, String where) {
        int[] r = tokenizer.encode(response);
        int bos = tokenizer.special().bos(), eos = tokenizer.special().eos();
        int n = p.length + r.length + (bos >= 0 ? 1 : 0) + (eos >= 0 ? 1 : 0);
        if (n == 0) {
            throw new IllegalArgumentException(where + " has an empty prompt and response");
        }
        if (n > maxPositions) {
            throw new IllegalArgumentException(where + " is " + n + " tokens long, more than the model's maxPositions " + maxPositions);
        }
        int[] s = new int[n];
        int at = 0;
        if (bos >= 0) {
            s[at++] = bos;
        }
        System.arraycopy(p, 0, s, at, p.length);
        System.arraycopy(r, 0, s, at + p.length, r.length);
        if (eos >= 0) {
            s[n - 1] = eos;
        }
        return s;
    }

    /** Where the response begins in {@link #sequence}'s tokens for {@code prompt}: after {@code <bos>} and the prompt. */
    public static int responseStart(Tokenizer tokenizer, String prompt) {
        return responseStart(tokenizer, tokenizer.encode(prompt));
    }

    private static int responseStart(Tokenizer tokenizer, int[] promptIds) {
        return (tokenizer.special().bos() >= 0 ? 1 : 0) + promptIds.length;
    }

    private static double number(JsonNode n) {
        return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
    }

    @Override
    public String name() {
        return "reward";
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
        return train.stream().mapToInt(p -> Math.max(p.chosen().length, p.rejected().length)).toArray();
    }

    @Override
    public BatchLoss loss(NDManager manager, int[] batch) {
        List<int[]> rows = new ArrayList<>(2 * batch.length);
        int[] starts = new int[2 * batch.length];
        long tokens = 0, chosenResponseTokens = 0, rejectedResponseTokens = 0; // response tokens s..T, <eos> included
        for (int k = 0; k < batch.length; k++) {
            Pair p = train.get(batch[k]);
            rows.add(p.chosen());
            starts[k] = starts[batch.length + k] = p.responseStart();
            tokens += p.chosen().length + p.rejected().length;
            chosenResponseTokens += p.chosen().length - p.responseStart();
            rejectedResponseTokens += p.rejected().length - p.responseStart();
        }
        for (int i : batch) {
            rows.add(train.get(i).rejected());
        }
        RewardModel.Scored scored = model.scored(manager, rows, starts, anchor);
        NDArray chosen = scored.rewards().get(new NDIndex("0:{}", batch.length));
        NDArray rejected = scored.rewards().get(new NDIndex("{}:", batch.length));
        NDArray loss = BradleyTerry.loss(chosen, rejected, settings.centering()).mean();
        Map<String, Double> metrics = BradleyTerry.metrics(chosen, rejected);
        if (scored.responseLogLikelihoods() != null) { // logged with the trunk's own likelihood head: is the trunk eroding?
            NDArray nll = scored.responseLogLikelihoods().get(new NDIndex("0:{}", batch.length)).sum().neg().div(chosenResponseTokens);
            if (settings.lmWeight() > 0) {
                loss = loss.add(nll.mul(settings.lmWeight()));
            }
            metrics.put("chosen_nll", nll.toType(DataType.FLOAT64, false).getDouble());
        }
        if (anchor != null) {
            NDArray kl = scored.responseKlFromAnchor().sum().div(chosenResponseTokens + rejectedResponseTokens);
            loss = loss.add(kl.mul(settings.klWeight()));
            metrics.put("kl_from_initial", kl.toType(DataType.FLOAT64, false).getDouble());
        }
        return new BatchLoss(loss, tokens, metrics);
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

    /** The model's accuracy on {@code pairs}, and the oracle's where the data records it. */
    private Map<String, Double> accuracy(NDManager manager, List<Pair> pairs) {
        List<int[]> seqs = new ArrayList<>(2 * pairs.size());
        int[] starts = new int[2 * pairs.size()];
        for (Pair p : pairs) {
            starts[seqs.size()] = starts[seqs.size() + 1] = p.responseStart();
            seqs.add(p.chosen());
            seqs.add(p.rejected());
        }
        double[] r = model.score(manager, seqs, starts, 2 * settings.evalBatchSize());
        int n = pairs.size(), right = 0, goldPairs = 0, goldAgree = 0, oraclePairs = 0;
        double margin = 0, oracleExpected = 0, oracleLabel = 0;
        Map<String, double[]> byFamily = new LinkedHashMap<>(); // pairs, model right, oracle expected, oracle on labels
        for (int i = 0; i < n; i++) {
            Pair p = pairs.get(i);
            double d = r[2 * i] - r[2 * i + 1];
            boolean correct = d > 0;
            right += correct ? 1 : 0;
            margin += d;
            double[] fam = byFamily.computeIfAbsent(p.family(), k -> new double[4]);
            fam[0]++;
            fam[1] += correct ? 1 : 0;
            if (!Double.isNaN(p.pChosen())) {
                double expected = Math.max(p.pChosen(), 1 - p.pChosen());
                double onLabel = p.pChosen() > 0.5 ? 1 : p.pChosen() == 0.5 ? 0.5 : 0;
                oraclePairs++;
                oracleExpected += expected;
                oracleLabel += onLabel;
                fam[2] += expected;
                fam[3] += onLabel;
            }
            if (!Double.isNaN(p.chosenGold()) && !Double.isNaN(p.rejectedGold()) && p.chosenGold() != p.rejectedGold()) {
                goldPairs++;
                goldAgree += (d > 0) == (p.chosenGold() > p.rejectedGold()) && d != 0 ? 1 : 0;
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", (double) right / n);
        m.put("margin", margin / n);
        if (oraclePairs == n) {
            m.put("oracle_expected_accuracy", oracleExpected / n);
            m.put("oracle_label_accuracy", oracleLabel / n);
        }
        if (goldPairs > 0) {
            m.put("gold_order_agreement", (double) goldAgree / goldPairs);
        }
        boolean oracleKnown = oraclePairs == n;
        if (byFamily.size() > 1 || !byFamily.containsKey("")) {
            byFamily.forEach((family, c) -> {
                String name = family.isEmpty() ? "unknown" : family;
                m.put("accuracy." + name, c[1] / c[0]);
                if (oracleKnown) {
                    m.put("oracle_label_accuracy." + name, c[3] / c[0]);
                }
            });
        }
        return m;
    }

    @Override
    public void export(Path dir, Path tokenizerDir) {
        model.save(dir, tokenizerDir, tokenizer.special().pad());
    }

    @Override
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("data", Map.of("path", dataPath, "pairs", train.size() + heldOut.size(), "prompts", prompts,
                "train_pairs", train.size(), "heldout_pairs", heldOut.size(), "heldout_prompts", heldOutPrompts));
        s.put("parameters", model.parameterCount());
        s.put("centering", settings.centering());
        s.put("head", model.headKind());
        if (model.readsLikelihood()) {
            s.put("gate_init", settings.gateInit());
        }
        if (settings.lmWeight() > 0) {
            s.put("lm_weight", settings.lmWeight());
        }
        if (settings.klWeight() > 0) {
            s.put("kl_weight", settings.klWeight());
        }
        if (lastEvaluation != null) {
            s.put("evaluation", lastEvaluation);
        }
        return s;
    }
}
