package dev.fulcrum.lm.itool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Monte Carlo tree search over the steps of one response, and the step-level preference pairs it yields (iTool, Zeng et
 * al. 2025, arXiv 2501.09766, section "MCTS-based iterative reinforcement learning").
 *
 * <p>A node is a partial response that ends at a step boundary (for tool use: after a tool call and its result); the
 * root is the empty response. Each search iteration:
 * <ol>
 *   <li><b>selection</b>: from the root, while the node has children, go to the child of largest
 *   <pre>  UCT(s, a) = Q(s, a) + c * p(a | s) * sqrt( ln N(s) / (1 + N(s, a)) )</pre>
 *   with Q the mean of the rewards backed up through the child, N visit counts, p the prior = exp(mean token
 *   log-probability of the step under the policy), c = {@link Settings#exploration} (1.0); ties go to the earlier child;</li>
 *   <li><b>expansion</b> (a node that is not terminal): the policy samples {@link Settings#width} (3) continuations of the
 *   partial response; each is cut at its first step boundary into a candidate step and the rest. Candidates with the
 *   same step text become one child. A child at depth {@link Settings#maxDepth} (3) takes the whole continuation as its
 *   step, so the tree is at most 3 steps deep and its deepest nodes are complete responses;</li>
 *   <li><b>simulation</b>: the rest of each sampled continuation is that child's rollout to the end of the response,
 *   valued by the reward (the task's oracle) of the complete response;</li>
 *   <li><b>backup</b>: each rollout's reward is added to every node from the child to the root (N += 1, sum += r).
 *   Selecting a terminal node backs its own reward up again.</li>
 * </ol>
 * <b>Pairs</b> ({@link #pairs}): at every node with at least two children, the child of highest Q against the child of
 * lowest Q, when Q(best) - Q(worst) &gt;= {@link Settings#minGap} (0.1). The pair shares the node's partial response as
 * its prefix; the chosen completion is the best child's step followed by the best rollout through it, the rejected one
 * the worst child's step followed by the worst rollout through it.
 *
 * <p>Checked against the authors' released code (github.com/zeng-yirong/iTool, {@code mcts/mcts_vllm.py}, {@code main.py},
 * {@code utils.py}; the paper's method section itself could not be read here, only its abstract): UCT with
 * a prior-weighted exploration term and c = 1.0 ({@code best_child}; the code divides both the value sum and the
 * square-root term by N + 1), 3 actions per expansion and depth 3 ({@code run_mcts_dpo.sh}: {@code --num_actions 3
 * --depth 3}), the prior as exp of the mean token log-probability of the step, the remaining text merged into one step at
 * the depth limit, and pairs of the max- and min-value child of every node with a value gap of at least 0.1
 * ({@code get_preference_pairs}, {@code --value_threshold 0.1}). Differences, deliberate: the value is the oracle's
 * reward of complete rollouts (the code scores text overlap with the ground truth and asks the model to grade itself);
 * Q is the mean over backed-up rollouts and every new child is valued by its own rollout at once (the code seeds a
 * child with a heuristic reward); a pair's completions run to the end of the response (the code stops at the step),
 * because the preference trainer scores the end-of-sequence token.
 */
public final class Mcts {
    /**
     * Search settings.
     *
     * @param iterations  search iterations (selection, expansion or re-evaluation, backup)
     * @param width       continuations sampled per expansion
     * @param maxDepth    steps in the tree; children at this depth hold the rest of the response
     * @param exploration c of the UCT rule
     * @param minGap      least Q gap between the best and the worst child for a pair
     */
    public record Settings(int iterations, int width, int maxDepth, double exploration, double minGap) {
        public Settings {
            if (iterations <= 0 || width <= 0 || maxDepth <= 0) {
                throw new IllegalArgumentException("MCTS iterations, width and depth must be positive, got " + iterations + ", "
                        + width + ", " + maxDepth);
            }
            if (!(exploration >= 0) || !(minGap >= 0)) {
                throw new IllegalArgumentException("MCTS exploration and minGap must be >= 0, got " + exploration + ", " + minGap);
            }
        }

        /** The paper's: 3 actions per node, depth 3, c = 1, value gap 0.1; {@code iterations} search iterations. */
        public static Settings paper(int iterations) {
            return new Settings(iterations, 3, 3, 1.0, 0.1);
        }
    }

    /**
     * One sampled continuation, already cut at its first step boundary.
     *
     * @param step        the next step (the whole continuation when {@code terminal})
     * @param rest        what the continuation wrote after the step: the rollout to the end
     * @param stepLogProb mean token log-probability of the step under the policy (the prior is its exp)
     * @param terminal    the step ends the response
     */
    public record Candidate(String step, String rest, double stepLogProb, boolean terminal) {
    }

    /** Where the candidate steps come from: the policy. */
    public interface StepPolicy {
        /**
         * {@code count} continuations of the partial response {@code prefix}, each cut at its first step boundary, or, with
         * {@code wholeRest}, left whole as one terminal step.
         */
        List<Candidate> sample(String prefix, int count, boolean wholeRest);
    }

    /** A step-level preference pair: the shared partial response and two completions of it. */
    public record Pair(String prefix, String chosen, String rejected, double chosenValue, double rejectedValue, int depth) {
    }

    /** A complete response and its reward. */
    public record Rollout(String response, double reward) {
    }

    /** A node of the tree: a partial response at a step boundary. */
    public static final class Node {
        private final Node parent;
        private final String prefix;
        private final String step;
        private final double prior;
        private final int depth;
        private final boolean terminal;
        private final List<Node> children = new ArrayList<>();
        private int visits;
        private double valueSum;
        private Rollout best;
        private Rollout worst;

        Node(Node parent, String step, double prior, boolean terminal) {
            this.parent = parent;
            this.step = step;
            this.prefix = parent == null ? step : parent.prefix + step;
            this.prior = prior;
            this.depth = parent == null ? 0 : parent.depth + 1;
            this.terminal = terminal;
        }

        /** The partial response up to and including this node's step. */
        public String prefix() {
            return prefix;
        }

        /** The step that leads here from the parent ("" at the root). */
        public String step() {
            return step;
        }

        public double prior() {
            return prior;
        }

        public int depth() {
            return depth;
        }

        public boolean terminal() {
            return terminal;
        }

        public List<Node> children() {
            return Collections.unmodifiableList(children);
        }

        public int visits() {
            return visits;
        }

        /** Q: mean reward backed up through this node (0 before any). */
        public double value() {
            return visits == 0 ? 0 : valueSum / visits;
        }

        /** The best and worst complete responses backed up through this node. */
        public Rollout bestRollout() {
            return best;
        }

        public Rollout worstRollout() {
            return worst;
        }

        /** The UCT score of this node as a child of its parent. */
        public double uct(double exploration) {
            if (parent == null) {
                throw new IllegalStateException("the root has no UCT score");
            }
            return value() + exploration * prior * Math.sqrt(Math.log(parent.visits) / (1 + visits));
        }

        private Node child(String childStep) {
            for (Node c : children) {
                if (c.step.equals(childStep)) {
                    return c;
                }
            }
            return null;
        }
    }

    private final StepPolicy policy;
    private final ToDoubleFunction<String> reward;
    private final Settings settings;
    private final Node root = new Node(null, "", 1.0, false);
    private final List<Node> selections = new ArrayList<>();

    /**
     * @param policy   samples candidate steps
     * @param reward   the reward of a complete response (the task's oracle), in [0, 1]
     */
    public Mcts(StepPolicy policy, ToDoubleFunction<String> reward, Settings settings) {
        this.policy = policy;
        this.reward = reward;
        this.settings = settings;
    }

    /** Runs the search's iterations and returns the root. */
    public Node search() {
        for (int i = 0; i < settings.iterations(); i++) {
            iterate();
        }
        return root;
    }

    /** One iteration: select a node by UCT, then expand it (or re-evaluate it when terminal) and back up. */
    public void iterate() {
        Node node = root;
        while (!node.children.isEmpty()) {
            node = select(node);
        }
        selections.add(node);
        if (node.terminal) {
            backup(node, new Rollout(node.prefix, reward.applyAsDouble(node.prefix)));
            return;
        }
        boolean wholeRest = node.depth + 1 >= settings.maxDepth();
        for (Candidate c : policy.sample(node.prefix, settings.width(), wholeRest)) {
            Node child = node.child(c.step());
            if (child == null) {
                child = new Node(node, c.step(), Math.exp(c.stepLogProb()), c.terminal() || wholeRest);
                node.children.add(child);
            }
            String response = child.prefix + (child.terminal ? "" : c.rest());
            backup(child, new Rollout(response, reward.applyAsDouble(response)));
        }
        if (node.children.isEmpty()) {
            throw new IllegalStateException("the policy returned no candidate step");
        }
    }

    /** The child of largest UCT (the first on ties). */
    Node select(Node node) {
        Node best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Node c : node.children) {
            double s = c.uct(settings.exploration());
            if (s > bestScore) {
                best = c;
                bestScore = s;
            }
        }
        return best;
    }

    private static void backup(Node from, Rollout rollout) {
        for (Node n = from; n != null; n = n.parent) {
            n.visits++;
            n.valueSum += rollout.reward();
            if (n.best == null || rollout.reward() > n.best.reward()) {
                n.best = rollout;
            }
            if (n.worst == null || rollout.reward() < n.worst.reward()) {
                n.worst = rollout;
            }
        }
    }

    public Node root() {
        return root;
    }

    /** The node each iteration selected, in order (the root for the first). */
    public List<Node> selections() {
        return Collections.unmodifiableList(selections);
    }

    /** Step-level pairs of the tree (parents before children, children in creation order). */
    public List<Pair> pairs() {
        List<Pair> out = new ArrayList<>();
        List<Node> queue = new ArrayList<>(List.of(root));
        for (int i = 0; i < queue.size(); i++) {
            Node n = queue.get(i);
            queue.addAll(n.children);
            if (n.children.size() < 2) {
                continue;
            }
            Node hi = n.children.getFirst(), lo = n.children.getFirst();
            for (Node c : n.children) {
                hi = c.value() > hi.value() ? c : hi;
                lo = c.value() < lo.value() ? c : lo;
            }
            if (hi.value() - lo.value() >= settings.minGap() - 1e-9) { // a gap of 0.1 exactly counts despite rounding
                out.add(new Pair(n.prefix, hi.best.response().substring(n.prefix.length()),
                        lo.worst.response().substring(n.prefix.length()), hi.value(), lo.value(), n.depth));
            }
        }
        return out;
    }
}
