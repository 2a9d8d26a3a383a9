package org.retinanet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles a plugin's source (a test resource) into a jar outside the class path, as a third party would. */
final class PluginJars {

    private PluginJars() {}

    /**
     * {@code resource}: the source under the test resources, e.g. {@code /toyplugin/com/example/toy/ToyPlugin.java};
     * {@code className}: its fully qualified name. Returns the jar, written to {@code dir/jarName}.
     */
    static Path build(String resource, String className, Path work, Path dir, String jarName) throws IOException {
        Path src = work.resolve("src").resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        try (InputStream in = PluginJars.class.getResourceAsStream(resource)) {
            Files.copy(in, src);
        }
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-proc:none",
                src.toString());
        assertThat(rc).as(className + " compiles").isZero();
        Files.createDirectories(dir);
        Path jarFile = dir.resolve(jarName);
        try (OutputStream os = Files.newOutputStream(jarFile);
                JarOutputStream jar = new JarOutputStream(os)) {
            jar.putNextEntry(new JarEntry("META-INF/services/org.retinanet.api.spi.RetinanetPlugin"));
            jar.write((className + "\n").getBytes());
            jar.closeEntry();
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    jar.putNextEntry(
                            new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    jar.write(Files.readAllBytes(f));
                    jar.closeEntry();
                }
            }
        }
        return jarFile;
    }
}
