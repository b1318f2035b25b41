package dev.fulcrum.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java programs under {@code scripts/analysis/} run with the source launcher against the project's classes, so Maven
 * never compiles them; this test does, so that a change of the library's API cannot break them unnoticed.
 */
class AnalysisScriptsCompileTest {
    @TempDir
    Path out;

    @Test
    void analysisScriptsCompileAgainstTheLibrary() throws IOException {
        List<String> sources;
        try (Stream<Path> files = Files.list(Path.of("scripts", "analysis"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().toList();
        }
        assertFalse(sources.isEmpty(), "no Java programs in scripts/analysis");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests need a JDK (javax.tools)");
        List<String> args = new ArrayList<>(List.of("-proc:none", "-Xlint:none", "-d", out.toString(), "-cp",
                System.getProperty("java.class.path")));
        args.addAll(sources);
        StringWriter errors = new StringWriter();
        int rc = javac.run(null, null, new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                errors.write(b);
            }
        }), args.toArray(String[]::new));
        assertEquals(0, rc, "scripts/analysis does not compile against the library:\n" + errors);
    }
}
