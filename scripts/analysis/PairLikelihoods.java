import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.diagnostics.PairScoring;
import dev.fulcrum.lm.io.HfCheckpoint;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.reward.RewardModel;
import dev.fulcrum.lm.train.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequence log-likelihoods {@code log pi(y | x)} (response and EOS, {@link PairScoring}) of the chosen and rejected
 * responses of the pairs listed in a {@code RewardPairScores} TSV (its {@code row} column indexes DATA), under a language
 * model, for comparing likelihood rankings with a reward model pair by pair.
 *
 * <p>Run: {@code java -cp 'target/fulcrum.jar:target/lib/*' scripts/analysis/PairLikelihoods.java MODEL_DIR DATA.jsonl
 * PAIRS.tsv OUT.tsv} (MODEL_DIR a causal model, or a likelihood-head reward model: its trunk); writes {@code row, lp_chosen, lp_rejected, chosen_tokens, rejected_tokens}.
 */
public class PairLikelihoods {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]), data = Path.of(args[1]), pairs = Path.of(args[2]), out = Path.of(args[3]);
        Torch.init();
        List<PreferenceExample> rows = PreferenceJsonl.read(data);
        List<Integer> wanted = new ArrayList<>();
        for (String line : Files.readAllLines(pairs).subList(1, Files.readAllLines(pairs).size())) {
            wanted.add(Integer.parseInt(line.substring(0, line.indexOf('\t'))));
        }
        List<PreferenceExample> selected = wanted.stream().map(rows::get).toList();
        StringBuilder tsv = new StringBuilder("row\tlp_chosen\tlp_rejected\tchosen_tokens\trejected_tokens\n");
        try (NDManager manager = Torch.newManager()) {
            boolean rewardModel = Json.MAPPER.readTree(model.resolve("config.json").toFile()).has(RewardModel.HEAD_KEY);
            DecoderLm lm = rewardModel ? RewardModel.load(model, manager, DataType.FLOAT32).trunk()
                    : HfCheckpoint.load(model, manager, DataType.FLOAT32);
            List<PairScoring.Scored> s = PairScoring.score(lm,
                    TokenizerFiles.ofModel(model), manager, selected, 32);
            for (int i = 0; i < s.size(); i++) {
                PairScoring.Scored p = s.get(i);
                tsv.append(wanted.get(i)).append('\t').append(p.chosen()).append('\t').append(p.rejected()).append('\t')
                        .append(p.chosenTokens()).append('\t').append(p.rejectedTokens()).append('\n');
            }
        }
        AtomicFiles.writeString(out, tsv.toString());
        System.out.println("scored " + selected.size() + " pairs -> " + out);
    }
}
