import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.train.PromptSplit;
import dev.fulcrum.lm.train.RewardObjective;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores the held-out pairs of an {@code lm reward} run one by one, for breakdowns the run's summary does not give (by
 * corruption level of chosen and rejected). The held-out split is rebuilt exactly as {@code LmTrainer} draws it
 * ({@code new Rng(seed).split("held-out")}, {@link PromptSplit} by prompt text), for plain-text (non-chat) data.
 *
 * <p>Run: {@code java -cp 'target/fulcrum.jar:target/lib/*' scripts/analysis/RewardPairScores.java RUN_DIR DATA.jsonl SEED
 * HELD_OUT_FRACTION FAMILY OUT.tsv}; writes one row per held-out pair of FAMILY (all families: {@code all}); with
 * HELD_OUT_FRACTION {@code all}, every row of DATA is scored (a file of held-out pairs kept apart from training). The last
 * two columns are the last-token head's part of each reward (the whole reward for a last-token model).
 */
public class RewardPairScores {
    public static void main(String[] args) {
        Path run = Path.of(args[0]), data = Path.of(args[1]), out = Path.of(args[5]);
        long seed = Long.parseLong(args[2]);
        boolean everyRow = args[3].equals("all");
        double fraction = everyRow ? 0.1 : Double.parseDouble(args[3]);
        String family = args[4];
        Torch.init();
        List<PreferenceExample> rows = PreferenceJsonl.read(data);
        List<String> prompts = rows.stream().map(e -> ((Content.Text) e.prompt()).text()).toList();
        PromptSplit split = PromptSplit.of(prompts, fraction, new Rng(seed).split("held-out"), data.toString(), "fraction");
        Tokenizer tokenizer = TokenizerFiles.ofModel(run.resolve("model"));
        List<int[]> sequences = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        StringBuilder tsv = new StringBuilder("row\tfamily\tchosen_level\trejected_level\tp_chosen\tr_chosen\tr_rejected\tchosen\trejected\tlast_chosen\tlast_rejected\n");
        try (NDManager manager = Torch.newManager()) {
            RewardModel model = RewardModel.load(run.resolve("model"), manager, DataType.FLOAT32);
            int max = model.config().maxPositions();
            for (int i = 0; i < rows.size(); i++) {
                PreferenceExample e = rows.get(i);
                if (!(everyRow || split.heldOut()[i]) || !(family.equals("all") || e.extra().get("family").asText().equals(family))) {
                    continue;
                }
                kept.add(i);
                sequences.add(RewardObjective.sequence(tokenizer, prompts.get(i), ((Content.Text) e.chosen()).text(), max, "row " + i));
                sequences.add(RewardObjective.sequence(tokenizer, prompts.get(i), ((Content.Text) e.rejected()).text(), max, "row " + i));
                int start = RewardObjective.responseStart(tokenizer, prompts.get(i));
                starts.add(start);
                starts.add(start);
            }
            double[] r = model.score(manager, sequences, starts.stream().mapToInt(Integer::intValue).toArray(), 64);
            double[] last = model.readsLikelihood() ? model.lastTokenPart().score(manager, sequences, 64) : r;
            for (int k = 0; k < kept.size(); k++) {
                PreferenceExample e = rows.get(kept.get(k));
                tsv.append(kept.get(k)).append('\t').append(e.extra().get("family").asText()).append('\t').append(e.extra().get("chosen_level").asInt()).append('\t')
                        .append(e.extra().get("rejected_level").asInt()).append('\t').append(e.extra().get("p_chosen").asDouble())
                        .append('\t').append(r[2 * k]).append('\t').append(r[2 * k + 1]).append('\t')
                        .append(((Content.Text) e.chosen()).text()).append('\t').append(((Content.Text) e.rejected()).text())
                        .append('\t').append(last[2 * k]).append('\t').append(last[2 * k + 1]).append('\n');
            }
        }
        AtomicFiles.writeString(out, tsv.toString());
        System.out.println("scored " + kept.size() + (everyRow ? " pairs (every row)" : " held-out pairs of " + split.heldOutPrompts()
                + " held-out prompts") + " -> " + out);
    }
}
