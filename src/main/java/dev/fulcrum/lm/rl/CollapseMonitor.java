package dev.fulcrum.lm.rl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The pattern-collapse warning of PPO-max's monitoring (Zheng et al. 2023, section 5.2): the policy has found a way to
 * please the reward that the reference would not produce when, over recent updates, <b>responses grow longer, their
 * perplexity falls and the reward rises</b> at once. Over a window of {@code window} updates (even, at least 4) the newer
 * half is compared with the older half: it fires when mean response length rose by more than {@code lengthRise}
 * (relative), mean perplexity fell by more than {@code perplexityDrop} (relative) and mean raw reward rose.
 */
public final class CollapseMonitor {
    private final int window;
    private final double lengthRise;
    private final double perplexityDrop;
    private final Deque<double[]> recent = new ArrayDeque<>(); // {length, perplexity, reward}

    public CollapseMonitor(int window, double lengthRise, double perplexityDrop) {
        if (window < 4 || window % 2 != 0) {
            throw new IllegalArgumentException("the collapse window must be an even number of updates >= 4, got " + window);
        }
        this.window = window;
        this.lengthRise = lengthRise;
        this.perplexityDrop = perplexityDrop;
    }

    /** Records one update's means; true when the window now shows the collapse pattern. */
    public boolean observe(double responseLength, double perplexity, double reward) {
        recent.addLast(new double[] {responseLength, perplexity, reward});
        if (recent.size() > window) {
            recent.removeFirst();
        }
        if (recent.size() < window) {
            return false;
        }
        double[] older = new double[3], newer = new double[3];
        int i = 0;
        for (double[] r : recent) {
            double[] half = i++ < window / 2 ? older : newer;
            for (int k = 0; k < 3; k++) {
                half[k] += r[k] / (window / 2.0);
            }
        }
        return newer[0] > older[0] * (1 + lengthRise) && newer[1] < older[1] * (1 - perplexityDrop) && newer[2] > older[2];
    }

    /** The window's records as one string for checkpoint metadata. */
    public void save(Map<String, String> metadata, String key) {
        List<String> rows = new ArrayList<>();
        for (double[] r : recent) {
            rows.add(r[0] + "," + r[1] + "," + r[2]);
        }
        metadata.put(key, String.join(";", rows));
    }

    public void restore(Map<String, String> metadata, String key) {
        String s = metadata.get(key);
        if (s == null) {
            throw new IllegalArgumentException("checkpoint lacks the collapse monitor's window (" + key + ")");
        }
        recent.clear();
        if (!s.isEmpty()) {
            for (String row : s.split(";")) {
                recent.addLast(Arrays.stream(row.split(",")).mapToDouble(Double::parseDouble).toArray());
            }
        }
    }
}
