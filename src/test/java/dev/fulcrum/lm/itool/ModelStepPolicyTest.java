package dev.fulcrum.lm.itool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.fulcrum.core.nn.Torch;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.model.DecoderLm;
import dev.fulcrum.lm.tokenize.ByteTokenizer;
import dev.fulcrum.lm.train.ModelSpec;
import dev.fulcrum.lm.train.ResponseGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Step boundaries, continuing a partial response, and candidates from a (random) model. */
class ModelStepPolicyTest {
    @Test
    void aStepEndsAfterTheFirstCallsResult() {
        String two = "<call>lookup(price, fig)</call><result>5</result><call>calc(3*5)</call><result>15</result>Answer: 15";
        assertEquals("<call>lookup(price, fig)</call><result>5</result>".length(), ModelStepPolicy.stepEnd(two));
        assertEquals(-1, ModelStepPolicy.stepEnd("Answer: 15"));
        assertEquals(-1, ModelStepPolicy.stepEnd("<call>calc(3*5)</call>"), "a call without its result is no boundary");
    }

    @Test
    void continuingAPartialResponseEqualsRespondingToTheLongerPrompt() {
        ByteTokenizer tok = new ByteTokenizer();
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = DecoderLm.initialise(manager, ModelSpec.tiny().toConfig(tok), DataType.FLOAT32, new Rng(9));
            ResponseGenerator g = new ResponseGenerator(model, tok);
            String prompt = "You buy 2 figs with a 20-coin note. What is your change?\n";
            String prefix = "<call>lookup(price, fig)</call><result>5</result>";
            int prefixTokens = tok.encode(prefix).length;
            // bytes: <bos> prompt prefix is the same token sequence either way, so greedy decoding agrees; the prefix's
            // tokens count toward the continuation's budget
            String continued = g.continueResponses(manager, List.of(prompt), List.of(prefix),
                    ResponseGenerator.Settings.greedy(prefixTokens + 40, 4, 4), new Rng(0)).getFirst();
            String whole = g.respond(manager, List.of(prompt + prefix), ResponseGenerator.Settings.greedy(40, 4, 4), new Rng(0)).getFirst();
            assertEquals(whole, continued);
            assertFalse(continued.isEmpty());

            ModelStepPolicy policy = new ModelStepPolicy(model, tok, manager, prompt, new ResponseGenerator.Settings(prefixTokens + 30, 4, 1.0, 0, 1, 3),
                    new Rng(1));
            List<Mcts.Candidate> c = policy.sample(prefix, 3, true);
            assertEquals(3, c.size());
            for (Mcts.Candidate x : c) {
                assertTrue(x.terminal() && x.rest().isEmpty());
                assertTrue(x.stepLogProb() < 0 && x.stepLogProb() > -20, "mean log-probability " + x.stepLogProb());
            }
            assertFalse(c.get(0).step().equals(c.get(1).step()) && c.get(1).step().equals(c.get(2).step()), "sampled, not greedy");
        }
    }

    @Test
    void searchWithAModelYieldsPairsOrderedByReward() {
        ByteTokenizer tok = new ByteTokenizer();
        try (NDManager manager = Torch.newManager()) {
            DecoderLm model = DecoderLm.initialise(manager, ModelSpec.tiny().toConfig(tok), DataType.FLOAT32, new Rng(3));
            ModelStepPolicy policy = new ModelStepPolicy(model, tok, manager, "q\n", new ResponseGenerator.Settings(12, 2, 1.0, 0, 1, 3),
                    new Rng(5));
            // a stand-in oracle: the share of ASCII letters among the first 5 characters
            java.util.function.ToDoubleFunction<String> reward = r -> r.chars().limit(5).filter(ch -> ch < 128 && Character.isLetter(ch))
                    .count() / 5.0;
            Mcts m = new Mcts(policy, reward, Mcts.Settings.paper(4));
            Mcts.Node root = m.search();
            assertTrue(root.visits() >= 3);
            List<Mcts.Pair> pairs = m.pairs();
            assertFalse(pairs.isEmpty(), "random text differs enough in its letters");
            for (Mcts.Pair p : pairs) {
                assertTrue(p.chosenValue() - p.rejectedValue() >= 0.1 - 1e-9);
                assertTrue(reward.applyAsDouble(p.prefix() + p.chosen()) > reward.applyAsDouble(p.prefix() + p.rejected()));
            }
        }
    }
}
