package dev.fulcrum.lm.iterative;

import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.lm.train.LmTrainConfig;
import dev.fulcrum.lm.train.LmTrainer;
import dev.fulcrum.lm.train.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One iteration's training on the shared LM loop: {@link LmTrainer} with the preference objective ({@code objective=dpo},
 * {@code lm.train.PreferenceObjective}), starting from the previous iterate. DNO and iterative DPO use the DPO sigmoid loss
 * with {@code beta = eta} and the request's reference; INPO uses {@code preference.loss=inpo} with the reference and the
 * previous iterate as second anchor. Every pair is trained on (no held-out share); reference and anchor log-probabilities
 * are computed once per run. The learning rate warms up over the first tenth of the updates and decays (cosine) to a
 * tenth; no weight decay (a short fine-tune should not pull weights toward zero).
 */
public final class PreferenceIterationTrainer implements IterationTrainer {

    @Override
    public Path train(Request r) {
        List<String> o = new ArrayList<>(List.of("data=" + r.pairs(), "init=" + r.init(), "tokenizer=auto", "seed=" + r.seed(),
                "steps=" + r.steps(), "batchSize=" + r.batchSize(), "logEvery=" + Math.max(1, Math.min(10, r.steps())),
                "evalEvery=" + r.steps(), "checkpointEvery=" + r.steps(), "keepCheckpoints=1",
                "optimizer.learningRate=" + r.learningRate(), "optimizer.minLearningRate=" + r.learningRate() / 10,
                "optimizer.warmupSteps=" + Math.max(1, r.steps() / 10), "optimizer.weightDecay=0",
                "preference.beta=" + r.eta(), "preference.reference=" + r.reference(), "preference.heldOutFraction=0",
                "preference.klSamples=0"));
        switch (r.method()) {
            case DNO, DPO -> o.add("preference.loss=sigmoid");
            case INPO -> {
                o.add("preference.loss=inpo");
                o.add("preference.inpoTau=" + r.tau());
                o.add("preference.anchor=" + r.anchor());
            }
        }
        LmTrainConfig cfg = ConfigLoader.load(LmTrainConfig.class, LmTrainConfig.defaults("dpo", ModelSpec.tiny()), null, o);
        return new LmTrainer(cfg, r.out()).progressBar(r.progress()).fit().runDir();
    }
}
