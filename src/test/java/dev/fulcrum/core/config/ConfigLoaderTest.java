package dev.fulcrum.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    record Inner(double beta, int layers) {
        Inner {
            if (beta <= 0) {
                throw new ConfigException("inner.beta", "must be positive, got " + beta);
            }
        }
    }

    record Outer(String name, long steps, boolean flag, Inner inner) {
        static Outer defaults() {
            return new Outer("x", 10, false, new Inner(3.0, 2));
        }
    }

    @TempDir
    Path dir;

    @Test
    void layersApplyInOrder() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "name: fromfile\ninner:\n  beta: 5.5\n");
        Outer o = ConfigLoader.load(Outer.class, Outer.defaults(), f, List.of("steps=99", "inner.layers=4", "flag=true"));
        assertEquals(new Outer("fromfile", 99, true, new Inner(5.5, 4)), o);
        Path j = dir.resolve("c.json");
        Files.writeString(j, "{\"steps\": 7}");
        assertEquals(7, ConfigLoader.load(Outer.class, Outer.defaults(), j, List.of()).steps());
    }

    @Test
    void errorsNameTheField() throws Exception {
        assertMessage("inner.betta", () -> ConfigLoader.load(Outer.class, Outer.defaults(), null, List.of("inner.betta=1")));
        assertMessage("steps", () -> ConfigLoader.load(Outer.class, Outer.defaults(), null, List.of("steps=many")));
        assertMessage("inner.beta", () -> ConfigLoader.load(Outer.class, Outer.defaults(), null, List.of("inner.beta=-1")));
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "inner:\n  unknown: 1\n");
        assertMessage("inner.unknown", () -> ConfigLoader.load(Outer.class, Outer.defaults(), f, List.of()));
        assertMessage("does not exist", () -> ConfigLoader.load(Outer.class, Outer.defaults(), dir.resolve("none.yaml"), List.of()));
        assertMessage("key.path=value", () -> ConfigLoader.load(Outer.class, Outer.defaults(), null, List.of("steps")));
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
        String msg = assertThrows(ConfigException.class, e).getMessage();
        assertTrue(msg.contains(fragment), () -> "'" + msg + "' should mention " + fragment);
    }
}
