package dev.fulcrum.lm.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.core.io.Json;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tiny reference checkpoints and outputs written by scripts/fixtures/make_tiny_lm.py. */
public final class LmFixtures {
    public static final String GPT2 = "tiny-gpt2";
    public static final String LLAMA = "tiny-llama";

    private LmFixtures() {
    }

    public static Path dir(String name) {
        try {
            return Path.of(LmFixtures.class.getResource("/fixtures/lm/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode expected(String name) {
        try {
            return Json.COMPACT.readTree(Files.readString(dir(name + ".json")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public static List<int[]> rows(JsonNode arrays) {
        List<int[]> out = new ArrayList<>();
        arrays.forEach(a -> out.add(ints(a)));
        return out;
    }

    public static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
