package dev.fulcrum.control.parl;

/**
 * One episode as the preference learner sees it: per decision step {@code t} the observation {@code s_t}, the action
 * {@code a_t} the policy sampled (before any clipping by the environment, so that its log-probability is the policy's),
 * and the reward features {@code phi(s_t, a_t, s_{t+1})} of the transition. A linear reward model scores a step as
 * {@code nu . phi_t} and the episode as {@code nu . sum_t phi_t}.
 *
 * <p>The hidden true utility {@code U(tau)} is not stored here: only the {@link PreferenceOracle} (through its task) and
 * evaluation compute it.
 */
public record Trajectory(float[][] observations, float[][] actions, double[][] features) {
    public Trajectory {
        if (observations.length != actions.length || actions.length != features.length) {
            throw new IllegalArgumentException("trajectory arrays differ in length: " + observations.length + " observations, "
                    + actions.length + " actions, " + features.length + " feature rows");
        }
    }

    public int length() {
        return actions.length;
    }

    /** {@code Phi(tau) = sum_t phi_t}: the episode's feature counts, so that its return under {@code nu} is {@code nu . Phi}. */
    public double[] featureSum() {
        int d = features.length == 0 ? 0 : features[0].length;
        double[] sum = new double[d];
        for (double[] f : features) {
            for (int j = 0; j < d; j++) {
                sum[j] += f[j];
            }
        }
        return sum;
    }

    /** {@code F_t = sum_{t' >= t} phi_t'}: the features still to come from step {@code t} (row {@code t}). */
    public double[][] featuresToGo() {
        int n = features.length, d = n == 0 ? 0 : features[0].length;
        double[][] toGo = new double[n][d];
        for (int t = n - 1; t >= 0; t--) {
            for (int j = 0; j < d; j++) {
                toGo[t][j] = features[t][j] + (t + 1 < n ? toGo[t + 1][j] : 0);
            }
        }
        return toGo;
    }
}
