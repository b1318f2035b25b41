package dev.fulcrum.lm.itool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.config.ConfigLoader;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.experiment.lm.BaseSft;
import dev.fulcrum.lm.data.Content;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.task.Problem;
import dev.fulcrum.lm.task.TaskSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A smoke-size iTool run end to end: stages, files, pairs that respect the search's rules, and continuing a finished run. */
class IToolTest {
    @TempDir
    Path tmp;

    static IToolConfig smoke(Path init) {
        return ConfigLoader.load(IToolConfig.class, IToolConfig.defaults(), null, List.of("init=" + init,
                "families=tool-calc,tool-shop", "problemsPerFamily=16", "warmupSteps=30", "sftLearningRate=3e-3", "batchSize=8",
                "iterations=1", "searchPoolPerFamily=8", "deficiencyRatio=0.5", "mctsIterations=4", "maxNewTokens=160",
                "temperature=1.2", "preferenceSteps=3", "preferenceLearningRate=1e-4", "evalProblems=6"));
    }

    @Test
    void smokeRunWritesEveryStage() throws Exception {
        Path base = BaseSft.obtain(BaseSft.Spec.smoke(), tmp.resolve("cache"), false);
        Path out = tmp.resolve("itool");
        List<String> log = new java.util.ArrayList<>();
        List<ITool.StageScore> scores = new ITool(smoke(base), out).log(log::add).run();
        log.forEach(System.out::println);
        assertEquals(List.of("init", "warmup", "iter-1"), scores.stream().map(ITool.StageScore::stage).toList());
        for (ITool.StageScore s : scores) {
            assertEquals(6, s.problems());
            assertTrue(s.meanReward() >= 0 && s.meanReward() <= 1);
        }
        // the warm-up data runs easy to hard: every row has its steps, and the SFT run used the curriculum
        assertTrue(SftJsonl.read(out.resolve("sft.jsonl")).stream().allMatch(e -> e.extra().containsKey("steps")));
        assertEquals("easy-to-hard", Json.MAPPER.readTree(out.resolve("warmup/config.json").toFile()).get("dataOrder").asText());
        JsonNode search = Json.MAPPER.readTree(out.resolve("iter-1/search.json").toFile());
        assertEquals(16, search.get("pool").asInt());
        assertEquals(8, search.get("searched").asInt());
        assertTrue(search.get("mean_perplexity_searched").asDouble() >= search.get("mean_perplexity_pool").asDouble());
        assertEquals(8, Files.readAllLines(out.resolve("iter-1/deficient.jsonl")).size());
        List<PreferenceExample> pairs = PreferenceJsonl.read(out.resolve("iter-1/pairs.jsonl"));
        List<Problem> pool = TaskSuite.problems(TaskSuite.family("tool-shop"), 0, 8);
        pool = new java.util.ArrayList<>(pool);
        pool.addAll(TaskSuite.problems(TaskSuite.family("tool-calc"), 0, 8));
        for (PreferenceExample p : pairs) {
            String prompt = ((Content.Text) p.prompt()).text();
            assertTrue(pool.stream().anyMatch(q -> prompt.startsWith(q.prompt())), prompt);
            assertTrue(p.extra().get("chosen_value").asDouble() - p.extra().get("rejected_value").asDouble() >= 0.1 - 1e-9);
            assertTrue(!((Content.Text) p.chosen()).text().equals(((Content.Text) p.rejected()).text()));
        }
        assertEquals(pairs.size(), search.get("pairs").asInt());
        if (pairs.size() >= 2) {
            assertTrue(Files.isRegularFile(out.resolve("iter-1/run/model/config.json")), "the SimPO update ran");
            assertEquals("simpo", Json.MAPPER.readTree(out.resolve("iter-1/run/config.json").toFile()).at("/preference/loss").asText());
        }
        JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        assertEquals(3, summary.get("stages").size());

        // a finished run continues without redoing anything; another configuration in the same folder is refused
        long before = Files.getLastModifiedTime(out.resolve("warmup/summary.json")).toMillis();
        new ITool(smoke(base), out).run();
        assertEquals(before, Files.getLastModifiedTime(out.resolve("warmup/summary.json")).toMillis());
        IToolConfig other = ConfigLoader.load(IToolConfig.class, smoke(base), null, List.of("iterations=2"));
        var e = assertThrows(IllegalArgumentException.class, () -> new ITool(other, out).run());
        assertTrue(e.getMessage().contains("another configuration"), e.getMessage());

        // the preference update on an iteration's pairs (here written beforehand, as a resumed run finds them): SimPO from
        // the starting model, whose result is the iteration's model
        Path seeded = tmp.resolve("seeded");
        List<PreferenceExample> gold = new java.util.ArrayList<>();
        for (Problem p : pool) {
            String prefix = ModelStepPolicy.stepEnd(p.reference()) > 0 && p.steps() > 1
                    ? p.reference().substring(0, ModelStepPolicy.stepEnd(p.reference())) : "";
            gold.add(PreferenceExample.text(p.prompt() + prefix, p.reference().substring(prefix.length()),
                    p.corruptions().get(1).startsWith(prefix) ? p.corruptions().get(1).substring(prefix.length()) : p.corruptions().getLast()));
        }
        Files.createDirectories(seeded.resolve("iter-1"));
        PreferenceJsonl.write(seeded.resolve("iter-1/pairs.jsonl"), gold, dev.fulcrum.lm.data.PreferenceFormat.STANDARD);
        IToolConfig noWarmup = ConfigLoader.load(IToolConfig.class, smoke(base), null, List.of("warmupSteps=0"));
        List<ITool.StageScore> updated = new ITool(noWarmup, seeded).run();
        assertEquals(List.of("init", "iter-1"), updated.stream().map(ITool.StageScore::stage).toList());
        assertEquals(seeded.resolve("iter-1/run/model").toString(), updated.get(1).model());
        JsonNode cfg = Json.MAPPER.readTree(seeded.resolve("iter-1/run/config.json").toFile());
        assertEquals("simpo", cfg.at("/preference/loss").asText());
        assertEquals(2.5, cfg.at("/preference/beta").asDouble());
        assertEquals(0.5, cfg.at("/preference/simpoGamma").asDouble());
        assertEquals(3, cfg.get("steps").asInt());
    }

    @Test
    void pairsLongerThanTheModelsPositionsAreLeftOut() {
        Path base = BaseSft.obtain(BaseSft.Spec.smoke(), tmp.resolve("cache"), false);
        Path model = base.resolve(dev.fulcrum.lm.train.LmTrainer.MODEL_DIR);
        int maxPositions = dev.fulcrum.lm.io.HfConfig.read(model.resolve("config.json")).maxPositions();
        // byte tokens: a prompt of n characters is about n tokens, so these straddle the limit
        String prompt = "Compute 2*3 with the calculator.";
        PreferenceExample fits = new PreferenceExample(Content.text(prompt), Content.text("Answer: 6"), Content.text("Answer: 7"),
                java.util.Map.of());
        PreferenceExample tooLong = new PreferenceExample(Content.text(prompt), Content.text("x".repeat(maxPositions)),
                Content.text("Answer: 7"), java.util.Map.of());
        // beginning-of-sequence + prompt bytes, then response bytes + end-of-sequence, scored on all but the last token
        PreferenceExample atLimit = new PreferenceExample(Content.text(prompt),
                Content.text("y".repeat(maxPositions - prompt.length() - 1)), Content.text("z"), java.util.Map.of());
        PreferenceExample oneOver = new PreferenceExample(Content.text(prompt), Content.text("z"),
                Content.text("y".repeat(maxPositions - prompt.length())), java.util.Map.of());
        List<PreferenceExample> kept = ITool.fitting(List.of(fits, tooLong, atLimit, oneOver), model);
        assertEquals(List.of(fits, atLimit), kept, "overlong pairs go, the one exactly at the limit stays");
    }
}
