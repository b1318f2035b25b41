package dev.fulcrum.lm.rank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fulcrum.core.io.AtomicFiles;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.core.rng.Rng;
import dev.fulcrum.lm.data.BeirDataset;
import dev.fulcrum.lm.data.BeirIo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A generated retrieval benchmark with graded relevance, in BEIR's layout: short documents each stating one attribute of
 * a synthetic entity, and one query per (entity, attribute) asking for it. For a query about entity {@code e} and
 * attribute {@code a}, the document stating {@code a} of {@code e} has grade 2, the other documents about {@code e}
 * grade 1 (related: the same entity), every other document grade 0 (not listed).
 *
 * <p>Two topic families with disjoint vocabularies make two datasets: <b>in-domain</b> (people: home city, job,
 * instrument, pet; names from one syllable set) with qrels splits {@code train} and {@code test} (the test split's
 * entities are disjoint from the training split's; all documents are in the corpus), and <b>out-of-domain</b> (towns:
 * river, export, founding century, festival; names from another syllable set) with a {@code test} split only. Names are
 * built from small pools of parts, so many entities share a first or last part: the retriever has to match the whole
 * name. Everything is a deterministic function of the seed and the sizes.
 */
public final class RetrievalCorpus {
    public static final String IN_DOMAIN = "in-domain";
    public static final String OUT_OF_DOMAIN = "out-of-domain";

    /** How many entities each family gets, and the in-domain share of entities whose queries are held out for testing. */
    public record Sizes(int inDomainEntities, int outOfDomainEntities, double testShare) {
        public Sizes {
            if (inDomainEntities < 3 || outOfDomainEntities < 1) {
                throw new IllegalArgumentException("need at least 3 in-domain and 1 out-of-domain entities, got "
                        + inDomainEntities + " and " + outOfDomainEntities);
            }
            if (!(testShare > 0 && testShare < 1)) {
                throw new IllegalArgumentException("testShare must lie in (0, 1), got " + testShare);
            }
        }

        public static Sizes standard() {
            return new Sizes(150, 60, 1.0 / 3);
        }
    }

    /** The two datasets. */
    public record Generated(BeirDataset inDomain, BeirDataset outOfDomain) {
    }

    private record Attribute(String key, List<String> values, List<String> documents, List<String> queries) {
    }

    private record Topic(String name, String idPrefix, List<String> firstParts, List<String> secondParts, String joiner,
                         List<Attribute> attributes) {
    }

    static final Topic PEOPLE = new Topic("people", "p",
            List.of("Kavo", "Mirel", "Tisa", "Ranno", "Neli", "Lumo", "Sova", "Vidra", "Deka", "Pami", "Gusto", "Zena", "Boro",
                    "Fila", "Karim"),
            List.of("Dalmer", "Tesko", "Varrin", "Holm", "Brisk", "Quell", "Marden", "Sutter", "Pike", "Lorne", "Falk", "Ostrow",
                    "Kemble", "Renn", "Wick", "Tarn", "Hesse", "Corby", "Nyland", "Abbot"), " ",
            List.of(new Attribute("city", List.of("Lisbon", "Oslo", "Cairo", "Lima", "Quito", "Hanoi", "Perth", "Dakar", "Riga",
                            "Turin", "Osaka", "Bergen"),
                            List.of("{e} lives in {v}.", "{e} has a small flat in {v}.", "Home for {e} is the city of {v}."),
                            List.of("where does {e} live?", "which city is home to {e}?")),
                    new Attribute("job", List.of("baker", "nurse", "pilot", "tailor", "farmer", "judge", "miner", "chemist", "poet",
                            "plumber"),
                            List.of("{e} works as a {v}.", "{e} earns a living as a {v}.", "By trade, {e} is a {v}."),
                            List.of("what is the job of {e}?", "what does {e} do for work?")),
                    new Attribute("instrument", List.of("cello", "flute", "drums", "harp", "banjo", "oboe", "piano", "violin",
                            "tuba", "sitar"),
                            List.of("{e} plays the {v} every evening.", "On weekends {e} practises the {v}.",
                                    "{e} learned the {v} as a child."),
                            List.of("which instrument does {e} play?", "what music does {e} make?")),
                    new Attribute("pet", List.of("cat", "parrot", "goat", "hamster", "tortoise", "rabbit", "lizard", "dog",
                            "ferret", "goose"),
                            List.of("{e} keeps a {v} at home.", "A {v} is the only pet of {e}.", "{e} walks a {v} each morning."),
                            List.of("what animal does {e} own?", "which pet lives with {e}?"))));

    static final Topic TOWNS = new Topic("towns", "t",
            List.of("Xir", "Quat", "Ombr", "Yll", "Tchu", "Wey", "Zhor", "Aph", "Uzg", "Ekw"),
            List.of("ombe", "athra", "ixol", "uvany", "eshk", "orrow", "ipht", "azun", "elq", "ycce"), "",
            List.of(new Attribute("river", List.of("Elbe", "Tagus", "Volta", "Indus", "Mekong", "Rhone", "Tiber", "Niger",
                            "Orinoco", "Danube"),
                            List.of("The {v} river flows through {e}.", "{e} was built on the banks of the {v}."),
                            List.of("which river runs through {e}?", "on what river does {e} stand?")),
                    new Attribute("export", List.of("copper", "tea", "wool", "salt", "timber", "rice", "glass", "cocoa", "marble",
                            "silk"),
                            List.of("{e} grew rich by selling {v}.", "The main export of {e} is {v}."),
                            List.of("what does {e} export?", "which trade made {e} wealthy?")),
                    new Attribute("founded", List.of("the 9th century", "the 11th century", "the 12th century", "the 14th century",
                            "the 15th century", "the 17th century", "the 18th century", "the 19th century"),
                            List.of("{e} was founded in {v}.", "Settlers first came to {e} in {v}."),
                            List.of("when was {e} founded?", "in which century did {e} begin?")),
                    new Attribute("festival", List.of("lantern", "harvest", "kite", "snow", "fire", "flower", "boat", "mask"),
                            List.of("Every year {e} holds a {v} festival.", "The {v} festival of {e} draws crowds each summer."),
                            List.of("what festival does {e} celebrate?", "which yearly feast is {e} known for?"))));

    private RetrievalCorpus() {
    }

    public static Generated generate(long seed, Sizes sizes) {
        Rng rng = new Rng(seed);
        return new Generated(dataset(PEOPLE, sizes.inDomainEntities(), sizes.testShare(), rng.split(IN_DOMAIN)),
                dataset(TOWNS, sizes.outOfDomainEntities(), 1.0, rng.split(OUT_OF_DOMAIN)));
    }

    /** Writes {@code DIR/in-domain/} and {@code DIR/out-of-domain/} (each a BEIR folder) and {@code DIR/provenance.json}. */
    public static void write(Generated g, Path dir, long seed, Sizes sizes) {
        BeirIo.write(g.inDomain(), dir.resolve(IN_DOMAIN));
        BeirIo.write(g.outOfDomain(), dir.resolve(OUT_OF_DOMAIN));
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("generator", "fulcrum rank make-data (dev.fulcrum.lm.rank.RetrievalCorpus)");
        provenance.put("seed", seed);
        provenance.put("sizes", sizes);
        provenance.put("grades", "2 = the document answering the query; 1 = another document about the same entity; 0 = any other");
        provenance.put(IN_DOMAIN, Map.of("topic", PEOPLE.name(), "documents", g.inDomain().corpus().size(), "queries",
                g.inDomain().queries().size(), "splits", g.inDomain().qrels().keySet()));
        provenance.put(OUT_OF_DOMAIN, Map.of("topic", TOWNS.name(), "documents", g.outOfDomain().corpus().size(), "queries",
                g.outOfDomain().queries().size(), "splits", g.outOfDomain().qrels().keySet()));
        AtomicFiles.writeString(dir.resolve("provenance.json"), Json.pretty(provenance) + "\n");
    }

    private static BeirDataset dataset(Topic topic, int entities, double testShare, Rng rng) {
        int combinations = topic.firstParts().size() * topic.secondParts().size();
        if (entities > combinations) {
            throw new IllegalArgumentException("topic " + topic.name() + " has only " + combinations + " distinct names, asked for "
                    + entities + " entities");
        }
        int[] picks = rng.split("names").permutation(combinations);
        Rng text = rng.split("text");
        int testEntities = testShare >= 1 ? entities : (int) Math.round(entities * testShare);
        Set<Integer> testSet = new LinkedHashSet<>();
        int[] order = rng.split("split").permutation(entities);
        for (int i = 0; i < testEntities; i++) {
            testSet.add(order[i]);
        }
        Map<String, BeirDataset.Document> corpus = new LinkedHashMap<>();
        Map<String, BeirDataset.Query> queries = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, Integer>>> qrels = new LinkedHashMap<>();
        if (testShare < 1) {
            qrels.put("train", new LinkedHashMap<>());
        }
        qrels.put("test", new LinkedHashMap<>());
        for (int e = 0; e < entities; e++) {
            int pick = picks[e];
            String name = topic.firstParts().get(pick / topic.secondParts().size()) + topic.joiner()
                    + topic.secondParts().get(pick % topic.secondParts().size());
            String entityId = topic.idPrefix() + String.format(Locale.ROOT, "%04d", e);
            List<String> docIds = new ArrayList<>();
            for (Attribute a : topic.attributes()) {
                String value = a.values().get(text.nextInt(a.values().size()));
                String sentence = a.documents().get(text.nextInt(a.documents().size())).replace("{e}", name).replace("{v}", value);
                String id = entityId + "-" + a.key();
                corpus.put(id, new BeirDataset.Document(id, name, sentence, meta(topic, name, a, value)));
                docIds.add(id);
            }
            String split = testSet.contains(e) ? "test" : "train";
            for (Attribute a : topic.attributes()) {
                String question = a.queries().get(text.nextInt(a.queries().size())).replace("{e}", name);
                String id = "q-" + entityId + "-" + a.key();
                queries.put(id, new BeirDataset.Query(id, question, Map.of("entity", new TextNode(name), "attribute",
                        new TextNode(a.key()), "topic", new TextNode(topic.name()))));
                Map<String, Integer> judged = new LinkedHashMap<>();
                String answer = entityId + "-" + a.key();
                judged.put(answer, 2);
                docIds.stream().filter(d -> !d.equals(answer)).forEach(d -> judged.put(d, 1));
                qrels.get(split).put(id, judged);
            }
        }
        return new BeirDataset(corpus, queries, qrels);
    }

    private static Map<String, JsonNode> meta(Topic topic, String name, Attribute a, String value) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        m.put("topic", new TextNode(topic.name()));
        m.put("entity", new TextNode(name));
        m.put("attribute", new TextNode(a.key()));
        m.put("value", new TextNode(value));
        return m;
    }
}
