package dev.fulcrum.lm.train;

import dev.fulcrum.core.config.ConfigException;
import dev.fulcrum.lm.align.Dpo;
import dev.fulcrum.lm.align.Inpo;
import dev.fulcrum.lm.align.PairObjective;
import java.util.List;
import java.util.Locale;

/**
 * Preference-optimisation settings ({@code preference.*}) of {@link PreferenceObjective}.
 *
 * @param loss             the pair loss: a {@link Dpo.Variant} name (sigmoid, robust, hinge, ipo, simpo; TRL's
 *                         {@code loss_type})
 * @param beta             balance between the preference signal and the reference anchor (DPO 0.1; SimPO about 2)
 * @param labelSmoothing   assumed share of flipped labels (sigmoid: cDPO; robust: rDPO), in [0, 0.5)
 * @param simpoGamma       SimPO's target margin gamma
 * @param referenceMode    {@code precomputed}: the reference's log-probabilities of every pair are computed once, kept
 *                         in memory and written to the run directory (a resumed run reads them back);
 *                         {@code live}: the reference model scores each batch again
 * @param reference        the reference (anchor) model: a Hugging Face model directory or a finished run; blank: a
 *                         frozen copy of the policy's initial parameters ({@code init})
 * @param heldOutFraction  share of prompts whose pairs are held out of training for evaluation
 * @param evalBatchSize    pairs scored together in evaluation and when precomputing the reference
 * @param klSamples        prompts whose sampled responses estimate KL(policy || reference) at each evaluation; 0: off
 * @param klMaxNewTokens   response budget of those samples
 * @param idealisedEpsilon a preference share of 1 counts as 1 - epsilon in the idealised ranking accuracy
 * @param anchor           a second frozen anchor model (a Hugging Face directory or a finished run) whose
 *                         log-probabilities objectives with {@link PairObjective#needsAnchor()} read (INPO: the previous
 *                         iterate); blank: none
 * @param inpoTau          INPO's KL weight tau toward the reference, in [0, beta] (loss {@code inpo}, with {@code beta}
 *                         as INPO's eta; {@link Inpo})
 * @param rpoAlpha         weight of the chosen responses' length-normalised NLL added to a DPO-family loss (RPO; TRL's
 *                         {@code rpo_alpha}); 0: none
 */
public record PreferenceSettings(String loss, double beta, double labelSmoothing, double simpoGamma, String referenceMode,
                                 String reference, double heldOutFraction, int evalBatchSize, int klSamples, int klMaxNewTokens,
                                 double idealisedEpsilon, String anchor, double inpoTau, double rpoAlpha) {
    public static final List<String> REFERENCE_MODES = List.of("precomputed", "live");
    /** The loss name that selects {@link Inpo}. */
    public static final String INPO = "inpo";

    public PreferenceSettings {
        loss = loss == null ? "" : loss.strip().toLowerCase(Locale.ROOT);
        try {
            if (!loss.equals(INPO)) {
                Dpo.Variant.parse(loss);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("preference.loss", e.getMessage() + " or inpo");
        }
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new ConfigException("preference.beta", "must be positive, got " + beta);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new ConfigException("preference.labelSmoothing", "must lie in [0, 0.5), got " + labelSmoothing);
        }
        if (!(simpoGamma >= 0) || !Double.isFinite(simpoGamma)) {
            throw new ConfigException("preference.simpoGamma", "must be a non-negative number, got " + simpoGamma);
        }
        if (referenceMode == null || !REFERENCE_MODES.contains(referenceMode)) {
            throw new ConfigException("preference.referenceMode", "must be one of " + REFERENCE_MODES + ", got '" + referenceMode + "'");
        }
        reference = reference == null ? "" : reference;
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
            throw new ConfigException("preference.heldOutFraction", "must lie in [0, 1), got " + heldOutFraction);
        }
        if (evalBatchSize <= 0) {
            throw new ConfigException("preference.evalBatchSize", "must be positive, got " + evalBatchSize);
        }
        if (klSamples < 0) {
            throw new ConfigException("preference.klSamples", "must be >= 0, got " + klSamples);
        }
        if (klMaxNewTokens <= 0) {
            throw new ConfigException("preference.klMaxNewTokens", "must be positive, got " + klMaxNewTokens);
        }
        if (!(idealisedEpsilon > 0 && idealisedEpsilon < 0.5)) {
            throw new ConfigException("preference.idealisedEpsilon", "must lie in (0, 0.5), got " + idealisedEpsilon);
        }
        anchor = anchor == null ? "" : anchor;
        if (!(rpoAlpha >= 0) || !Double.isFinite(rpoAlpha)) {
            throw new ConfigException("preference.rpoAlpha", "must be a non-negative number, got " + rpoAlpha);
        }
        if (rpoAlpha > 0 && loss.equals(INPO)) {
            throw new ConfigException("preference.rpoAlpha", "applies to the DPO family only, not to loss inpo");
        }
        if (loss.equals(INPO)) {
            if (!(inpoTau >= 0 && inpoTau <= beta)) {
                throw new ConfigException("preference.inpoTau", "must lie in [0, beta] = [0, " + beta + "], got " + inpoTau);
            }
            if (anchor.isBlank()) {
                throw new ConfigException("preference.anchor", "is needed by loss inpo (the previous iterate's model)");
            }
        }
    }

    /** Without the RPO term. */
    public PreferenceSettings(String loss, double beta, double labelSmoothing, double simpoGamma, String referenceMode, String reference,
                              double heldOutFraction, int evalBatchSize, int klSamples, int klMaxNewTokens, double idealisedEpsilon,
                              String anchor, double inpoTau) {
        this(loss, beta, labelSmoothing, simpoGamma, referenceMode, reference, heldOutFraction, evalBatchSize, klSamples, klMaxNewTokens,
                idealisedEpsilon, anchor, inpoTau, 0.0);
    }

    public static PreferenceSettings defaults() {
        return new PreferenceSettings("sigmoid", 0.1, 0.0, 0.5, "precomputed", "", 0.1, 32, 32, 64, 1e-3, "", 0.1 / 3, 0.0);
    }

    /** Whether the reference's scores are computed once rather than with every batch. */
    public boolean precomputed() {
        return referenceMode.equals("precomputed");
    }

    /** The pair loss these settings select. */
    public PairObjective pairObjective() {
        if (loss.equals(INPO)) {
            return new Inpo(new Inpo.Config(beta, inpoTau));
        }
        return new Dpo(new Dpo.Config(Dpo.Variant.parse(loss), beta, labelSmoothing, simpoGamma, rpoAlpha));
    }
}
