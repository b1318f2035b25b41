package dev.fulcrum.lm.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fulcrum.lm.data.BeirDataset;
import dev.fulcrum.lm.data.BeirIo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated benchmark: deterministic, graded as documented, BEIR round trip, disjoint domains. */
class RetrievalCorpusTest {
    private static final RetrievalCorpus.Sizes SIZES = new RetrievalCorpus.Sizes(30, 12, 1.0 / 3);

    @Test
    void deterministicAndGraded() {
        RetrievalCorpus.Generated a = RetrievalCorpus.generate(5, SIZES), b = RetrievalCorpus.generate(5, SIZES);
        assertEquals(a, b);
        assertNotEquals(a, RetrievalCorpus.generate(6, SIZES));
        BeirDataset in = a.inDomain();
        assertEquals(120, in.corpus().size());
        assertEquals(120, in.queries().size());
        assertEquals(80, in.qrels().get("train").size());
        assertEquals(40, in.qrels().get("test").size());
        assertEquals(Set.of("test"), a.outOfDomain().qrels().keySet());
        for (var byQuery : in.qrels().values()) {
            for (var e : byQuery.entrySet()) {
                Map<String, Integer> j = e.getValue();
                assertEquals(4, j.size());
                assertEquals(1, j.values().stream().filter(g -> g == 2).count());
                String answer = j.entrySet().stream().filter(x -> x.getValue() == 2).findFirst().orElseThrow().getKey();
                BeirDataset.Query q = in.queries().get(e.getKey());
                BeirDataset.Document d = in.corpus().get(answer);
                assertEquals(q.metadata().get("entity"), d.metadata().get("entity"));
                assertEquals(q.metadata().get("attribute"), d.metadata().get("attribute"));
                assertTrue(q.text().contains(q.metadata().get("entity").asText()));
            }
        }
        // entity-level split: no entity has queries in both splits
        Set<String> trainEntities = new HashSet<>(), testEntities = new HashSet<>();
        in.qrels().get("train").keySet().forEach(q -> trainEntities.add(in.queries().get(q).metadata().get("entity").asText()));
        in.qrels().get("test").keySet().forEach(q -> testEntities.add(in.queries().get(q).metadata().get("entity").asText()));
        assertTrue(trainEntities.stream().noneMatch(testEntities::contains));
    }

    @Test
    void domainsShareNoContentWords() {
        RetrievalCorpus.Generated g = RetrievalCorpus.generate(1, SIZES);
        Set<String> in = new HashSet<>(), out = new HashSet<>();
        g.inDomain().corpus().values().forEach(d -> in.addAll(Bm25.words(d.text())));
        g.outOfDomain().corpus().values().forEach(d -> out.addAll(Bm25.words(d.text())));
        in.retainAll(out);
        in.removeAll(Set.of("a", "the", "in", "of", "is", "each", "every", "at", "was", "by", "on"));
        assertTrue(in.isEmpty(), "shared words: " + in);
    }

    @Test
    void beirRoundTrip(@TempDir Path dir) {
        RetrievalCorpus.Generated g = RetrievalCorpus.generate(2, SIZES);
        RetrievalCorpus.write(g, dir, 2, SIZES);
        assertEquals(g.inDomain(), BeirIo.read(dir.resolve(RetrievalCorpus.IN_DOMAIN)));
        assertEquals(g.outOfDomain(), BeirIo.read(dir.resolve(RetrievalCorpus.OUT_OF_DOMAIN)));
        assertTrue(Files.isRegularFile(dir.resolve("provenance.json")));
        Retrieval test = Retrieval.read(dir.resolve(RetrievalCorpus.IN_DOMAIN), "test", 0);
        Retrieval.Scores bm25 = test.evaluateBm25();
        assertEquals(40, bm25.queries());
        assertTrue(bm25.recall10() > 0.9, "BM25 should find the entity's documents by name: " + bm25);
    }
}
