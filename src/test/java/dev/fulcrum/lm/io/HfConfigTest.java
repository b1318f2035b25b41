package dev.fulcrum.lm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.core.io.Json;
import dev.fulcrum.lm.model.LmConfig;
import dev.fulcrum.lm.model.LmFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheFixtureConfigs() {
        LmConfig g = HfConfig.read(LmFixtures.dir(LmFixtures.GPT2).resolve("config.json"));
        assertEquals(new LmConfig(LmConfig.Family.GPT2, 50, 16, 2, 2, 2, 8, 64, 32, 1e-5, 0, true, false, false, false, 0, 1), g);
        LmConfig l = HfConfig.read(LmFixtures.dir(LmFixtures.LLAMA).resolve("config.json"));
        assertEquals(new LmConfig(LmConfig.Family.LLAMA, 64, 32, 2, 4, 2, 8, 48, 64, 1e-6, 1000.0, false, false, false, false,
                1, 2), l);
    }

    @Test
    void writeThenReadGivesTheSameConfig() {
        for (LmConfig c : new LmConfig[] {LmConfig.gpt2(100, 24, 3, 4, 64).withSpecialTokens(5, 6),
                LmConfig.llama(100, 24, 3, 4, 2, 40, 64, 10000.0, true),
                new LmConfig(LmConfig.Family.LLAMA, 100, 24, 1, 4, 2, 8, 40, 64, 1e-5, 1e6, false, false, true, false, -1, 3),
                new LmConfig(LmConfig.Family.LLAMA, 100, 24, 1, 4, 4, 6, 40, 64, 1e-5, 1e4, false, true, false, true, -1, -1)}) {
            Path f = tmp.resolve("c.json");
            HfConfig.write(f, c, "float32");
            assertEquals(c, HfConfig.read(f));
        }
    }

    private String error(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode o = (ObjectNode) Json.COMPACT.readTree(Files.readString(LmFixtures.dir(LmFixtures.LLAMA).resolve("config.json")));
        edit.accept(o);
        Path f = tmp.resolve("config.json");
        Files.writeString(f, o.toString());
        String msg = assertThrows(IllegalArgumentException.class, () -> HfConfig.read(f)).getMessage();
        assertTrue(msg.startsWith(f.toString()), "names the file: " + msg);
        return msg;
    }

    @Test
    void badKeysAreNamed() throws Exception {
        assertTrue(error(o -> o.remove("hidden_size")).contains("field 'hidden_size' is missing"));
        assertTrue(error(o -> o.put("num_hidden_layers", "two")).contains("field 'num_hidden_layers' must be a positive integer"));
        assertTrue(error(o -> o.put("num_key_value_heads", 3)).contains("field 'num_key_value_heads' 3 does not divide"));
        assertTrue(error(o -> o.putObject("rope_scaling").put("type", "linear")).contains("field 'rope_scaling' is not supported"));
        assertTrue(error(o -> o.put("hidden_act", "gelu")).contains("field 'hidden_act'"));
        assertTrue(error(o -> o.put("rms_norm_eps", -1)).contains("field 'rms_norm_eps' must be a positive number"));
        assertTrue(error(o -> o.put("eos_token_id", 64)).contains("field 'eos_token_id' must be a token id in [0, 64)"));
        assertTrue(error(o -> o.put("model_type", "t5")).contains("field 'model_type' 't5' is not supported"));
        assertTrue(error(o -> o.remove("model_type")).contains("field 'model_type' is missing"));
        assertTrue(error(o -> o.put("tie_word_embeddings", "yes")).contains("field 'tie_word_embeddings' must be true or false"));
    }

    @Test
    void notJsonIsNamed() throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{ not json");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfConfig.read(f)).getMessage().contains("not valid JSON"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfConfig.read(tmp.resolve("none.json"))).getMessage()
                .contains("file not found"));
    }
}
