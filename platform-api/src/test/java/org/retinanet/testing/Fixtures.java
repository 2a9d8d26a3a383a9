package org.retinanet.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates reference fixtures. Small fixtures are committed under a module's
 * {@code src/test/resources/fixtures}; large ones (weights of real-sized networks) are produced by
 * the reference implementations themselves through {@code scripts/make-fixtures.sh} into
 * {@code fixtures/generated/} at the repository root, which the README's test command runs first.
 */
public final class Fixtures {

    private Fixtures() {}

    public static Path repoRoot() {
        String root = System.getProperty("retinanet.repo.root");
        Path start = root != null ? Paths.get(root) : Paths.get("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("scripts"))
                    && Files.exists(p.resolve("pom.xml"))
                    && Files.isDirectory(p.resolve("platform-api"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + start);
    }

    /** A generated fixture; fails with the command that makes it when it is missing. */
    public static Path generated(String relative) {
        Path p = repoRoot().resolve("fixtures/generated").resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("fixture " + p + " is missing: run scripts/make-fixtures.sh"
                    + " (it needs Debian's python3-torchvision; the README's test command does both)");
        }
        return p;
    }
}
