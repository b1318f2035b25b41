package dev.fulcrum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.OracleDatasets;
import dev.fulcrum.lm.data.PreferenceExample;
import dev.fulcrum.lm.data.PreferenceFormat;
import dev.fulcrum.lm.data.PreferenceJsonl;
import dev.fulcrum.lm.data.SftExample;
import dev.fulcrum.lm.data.SftFormat;
import dev.fulcrum.lm.data.SftJsonl;
import dev.fulcrum.lm.task.BradleyTerryOracle;
import dev.fulcrum.lm.task.IntransitiveOracle;
import dev.fulcrum.lm.task.PreferenceOracle;
import dev.fulcrum.lm.task.TaskFamily;
import dev.fulcrum.lm.task.TaskSuite;
import dev.fulcrum.lm.tokenize.BpeTokenizer;
import dev.fulcrum.lm.tokenize.BpeTrainer;
import dev.fulcrum.lm.tokenize.Tokenizer;
import dev.fulcrum.lm.tokenize.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fulcrum lm ...}: language-model tasks, oracle datasets and tokenizers; training and evaluation. */
@Command(name = "lm", mixinStandardHelpOptions = true, description = "Language-model tasks, oracle datasets and tokenizers; "
        + "SFT and reward-model training, evaluation and diagnostics.",
        subcommands = {LmCommand.Tasks.class, LmCommand.MakeData.class, LmCommand.TokenizerGroup.class,
                LmTrainingCommands.Sft.class, LmTrainingCommands.Reward.class, LmTrainingCommands.Eval.class,
                LmTrainingCommands.Generate.class, LmTrainingCommands.Diagnose.class,
                LmDpoCommand.class, LmSrpoCommand.class, LmReviseCommand.class, LmPpoCommand.class, LmIterateCommand.class,
                LmIToolCommand.class,
                LmPitCommand.class})
public final class LmCommand extends GroupCommand {

    @Command(name = "tasks", mixinStandardHelpOptions = true, description = "List the task families and their splits.")
    static final class Tasks implements Runnable {
        @Override
        public void run() {
            System.out.printf("%-15s %-16s %5s  %s%n", "family", "split", "steps", "description");
            for (TaskFamily f : TaskSuite.families()) {
                int steps = TaskSuite.problem(f.name(), 0, 0).steps();
                System.out.printf("%-15s %-16s %5d  %s%n", f.name(), f.split().label(), steps, f.description());
            }
            System.out.println("select with --tasks: family names, 'in-distribution', 'held-out' or 'all', comma-separated");
        }
    }

    @Command(name = "make-data", mixinStandardHelpOptions = true,
            description = {"Write an SFT dataset and a preference dataset from the task oracles (no model needed).",
                    "DIR/sft.jsonl: one prompt and reference per problem; DIR/preferences.jsonl: every pair of the reference and "
                            + "its graded corruptions, labelled by --labels; DIR/provenance.json: how it was made."})
    static final class MakeData implements Callable<Integer> {
        @Option(names = "--tasks", defaultValue = "in-distribution",
                description = "Families: names, 'in-distribution', 'held-out' or 'all', comma-separated (default: ${DEFAULT-VALUE}).")
        String tasks;
        @Option(names = "--per-family", defaultValue = "200", description = "Problems per family (default: ${DEFAULT-VALUE}).")
        int perFamily;
        @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--labels", defaultValue = "gold",
                description = "Preference labels: gold (better response chosen), bt (Bradley-Terry draws), intransitive "
                        + "(cyclic general preference draws) (default: ${DEFAULT-VALUE}).")
        String labels;
        @Option(names = "--temperature", defaultValue = "0.1",
                description = "Oracle temperature t for bt and intransitive labels (default: ${DEFAULT-VALUE}).")
        double temperature;
        @Option(names = "--cycle-weight", defaultValue = "0.3",
                description = "Weight lambda of the cyclic term for intransitive labels (default: ${DEFAULT-VALUE}).")
        double cycleWeight;
        @Option(names = "--format", defaultValue = "standard",
                description = "Preference layout: standard, implicit or conversational; conversational also writes SFT as "
                        + "messages (default: ${DEFAULT-VALUE}).")
        String format;
        @Option(names = "--out", required = true, description = "Output folder.")
        Path out;

        @Override
        public Integer call() {
            if (perFamily <= 0) {
                throw new IllegalArgumentException("--per-family must be positive, got " + perFamily);
            }
            PreferenceFormat prefFormat = PreferenceFormat.parse(format);
            boolean chat = prefFormat == PreferenceFormat.CONVERSATIONAL;
            List<TaskFamily> families = TaskSuite.select(tasks);
            PreferenceOracle oracle = switch (labels.strip().toLowerCase(Locale.ROOT)) {
                case "gold" -> null;
                case "bt", "bradley-terry" -> new BradleyTerryOracle(temperature);
                case "intransitive" -> new IntransitiveOracle(temperature, cycleWeight);
                default -> throw new IllegalArgumentException("unknown --labels '" + labels + "' (gold, bt, intransitive)");
            };
            var sources = OracleDatasets.sources(families.stream().map(TaskFamily::name).toList(), seed, perFamily);
            List<SftExample> sft = OracleDatasets.sft(sources, chat);
            List<PreferenceExample> prefs = OracleDatasets.preferences(sources, oracle, new Rng(seed).split("labels"), chat);
            SftJsonl.write(out.resolve("sft.jsonl"), sft, chat ? SftFormat.MESSAGES : SftFormat.PROMPT_COMPLETION);
            PreferenceJsonl.write(out.resolve("preferences.jsonl"), prefs, prefFormat);
            long flipped = prefs.stream().filter(p -> p.extra().get("chosen_level").asInt() > p.extra().get("rejected_level").asInt())
                    .count();

            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("command", "fulcrum lm make-data --tasks " + tasks + " --per-family " + perFamily + " --seed " + seed
                    + " --labels " + labels + " --temperature " + temperature + " --cycle-weight " + cycleWeight + " --format " + format);
            provenance.put("fulcrum", new VersionProvider().getVersion()[0]);
            provenance.put("seed", seed);
            provenance.put("per_family", perFamily);
            List<Map<String, Object>> fams = new ArrayList<>();
            for (TaskFamily f : families) {
                fams.add(Map.of("name", f.name(), "split", f.split().label(), "description", f.description()));
            }
            provenance.put("families", fams);
            provenance.put("labels", oracle == null ? "gold (better response chosen)" : oracle.describe());
            provenance.put("preference_format", prefFormat.name().toLowerCase(Locale.ROOT));
            provenance.put("sft_format", chat ? "messages" : "prompt-completion");
            provenance.put("sft_rows", sft.size());
            provenance.put("preference_rows", prefs.size());
            provenance.put("pairs_with_worse_response_chosen", flipped);
            provenance.put("regenerate", "TaskSuite.problem(family, seed, index) rebuilds any row's problem and oracle");
            AtomicFiles.writeString(out.resolve("provenance.json"), Json.pretty(provenance) + "\n");
            System.out.printf("wrote %s: %d SFT rows, %d preference rows (%d families, labels %s, %d pairs with the worse response "
                    + "chosen)%n", out, sft.size(), prefs.size(), families.size(), oracle == null ? "gold" : oracle.describe(), flipped);
            return 0;
        }
    }

    @Command(name = "tokenizer", mixinStandardHelpOptions = true, description = "Train and inspect tokenizers.",
            subcommands = {TokenizerTrain.class, TokenizerEncode.class})
    static final class TokenizerGroup extends GroupCommand {
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Train a byte-level BPE tokenizer and write it as a Hugging Face tokenizer.json.",
                    "Corpus files ending in .jsonl contribute their text fields (prompt, completion, chosen, rejected, text, "
                            + "message contents); other files are read as plain UTF-8 text."})
    static final class TokenizerTrain implements Callable<Integer> {
        private static final List<String> TEXT_FIELDS = List.of("prompt", "completion", "chosen", "rejected", "text", "messages");

        @Option(names = "--corpus", required = true, arity = "1..*", description = "Corpus files (.jsonl or plain text).")
        List<Path> corpus;
        @Option(names = "--vocab", required = true, description = "Vocabulary size, including 256 bytes and 3 special tokens.")
        int vocab;
        @Option(names = "--min-frequency", defaultValue = "2", description = "Least count of a pair to merge (default: ${DEFAULT-VALUE}).")
        int minFrequency;
        @Option(names = "--out", required = true, description = "Output tokenizer.json (a folder gets tokenizer.json inside).")
        Path out;

        @Override
        public Integer call() {
            BpeTrainer trainer = new BpeTrainer(vocab, minFrequency);
            List<String> documents = new ArrayList<>();
            for (Path f : corpus) {
                documents.addAll(read(f));
            }
            if (documents.isEmpty()) {
                throw new IllegalArgumentException("the corpus has no text: " + corpus);
            }
            long start = System.nanoTime();
            BpeTokenizer tokenizer = trainer.train(documents);
            double seconds = (System.nanoTime() - start) / 1e9;
            Path file = Files.isDirectory(out) ? out.resolve("tokenizer.json") : out;
            tokenizer.save(file);
            long bytes = 0, tokens = 0;
            for (String d : documents) {
                bytes += d.getBytes(StandardCharsets.UTF_8).length;
                tokens += tokenizer.encode(d).length;
            }
            System.out.printf("wrote %s: vocabulary %d (%d merges%s), trained in %.1f s on %d documents; corpus %d bytes -> %d tokens "
                            + "(%.2f bytes/token)%n", file, tokenizer.vocabSize(), tokenizer.mergeCount(),
                    tokenizer.vocabSize() < vocab ? ", fewer than asked: no pair left with count >= " + minFrequency : "",
                    seconds, documents.size(), bytes, tokens, (double) bytes / Math.max(1, tokens));
            return 0;
        }

        private static List<String> read(Path f) {
            List<String> out = new ArrayList<>();
            try {
                if (f.getFileName().toString().endsWith(".jsonl")) {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    for (int i = 0; i < lines.size(); i++) {
                        if (lines.get(i).isBlank()) {
                            continue;
                        }
                        JsonNode row;
                        try {
                            row = Json.MAPPER.readTree(lines.get(i));
                        } catch (IOException e) {
                            throw new IllegalArgumentException(f + ":" + (i + 1) + ": not valid JSON");
                        }
                        for (String field : TEXT_FIELDS) {
                            collect(row.get(field), out);
                        }
                    }
                } else {
                    out.add(Files.readString(f, StandardCharsets.UTF_8));
                }
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("corpus file not found: " + f);
            } catch (MalformedInputException e) {
                throw new IllegalArgumentException(f + ": not UTF-8 text");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
            }
            return out;
        }

        private static void collect(JsonNode v, List<String> out) {
            if (v == null) {
                return;
            }
            if (v.isTextual()) {
                out.add(v.asText());
            } else if (v.isArray()) {
                v.forEach(m -> collect(m.get("content"), out));
            }
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true, description = "Show the token ids and pieces of a text.")
    static final class TokenizerEncode implements Callable<Integer> {
        @Option(names = "--tokenizer", defaultValue = "bytes",
                description = "bytes, a tokenizer.json path, or hf:PATH for any Hugging Face tokenizer (default: ${DEFAULT-VALUE}).")
        String tokenizer;
        @Parameters(arity = "1..*", description = "Text to encode (words are joined with single spaces).")
        List<String> words;

        @Override
        public Integer call() throws Exception {
            Tokenizer t = Tokenizers.open(tokenizer);
            try {
                String text = String.join(" ", words);
                int[] ids = t.encode(text);
                String pieces = Arrays.stream(ids).mapToObj(id -> "[" + t.decode(new int[] {id}) + "]").collect(Collectors.joining(""));
                System.out.printf("%d tokens: %s%n%s%nround trip exact: %s%n", ids.length, Arrays.toString(ids), pieces,
                        t.decode(ids).equals(text));
            } finally {
                if (t instanceof AutoCloseable c) {
                    c.close();
                }
            }
            return 0;
        }
    }
}
