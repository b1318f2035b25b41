package dev.fulcrum.lm.iterative;

import java.util.Locale;

/**
 * The iterative preference methods of {@link IterativePreferenceLoop}: how pairs are selected, which loss trains on them,
 * and what anchors it.
 *
 * <pre>
 *   method  pairs (from K samples per prompt)                    loss                                   anchor(s)
 *   dno     win rate under the oracle, large margin; earlier     DPO sigmoid, beta = eta                 previous iterate pi_t
 *           iterations' pairs mixed in with a decaying share
 *   inpo    win rate under the oracle, best vs worst             (h_t - 1/(2 eta))^2 (lm.align.Inpo)     reference and pi_t
 *   dpo     gold-reward (Bradley-Terry) order, best vs worst     DPO sigmoid, beta = eta                 reference (SFT)
 * </pre>
 */
public enum IterativeMethod {
    DNO, INPO, DPO;

    public static IterativeMethod parse(String name) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown iterative method '" + name + "' (dno, inpo, dpo)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
