package org.retinanet.api.registry;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.retinanet.api.spi.RetinanetPlugin;

/**
 * Finds plugins: those on the class path, then every jar in the plugin directories, each jar in
 * its own class loader whose parent is the platform's (so plugins share the platform API and DJL
 * but not each other's classes).
 */
public final class PluginLoader {

    /** Environment variable naming extra plugin directories (path-separator separated). */
    public static final String PLUGINS_ENV = "RETINANET_PLUGINS";

    private PluginLoader() {}

    public static List<DiscoveredPlugin> discover(List<Path> pluginDirs) {
        List<DiscoveredPlugin> found = new ArrayList<>();
        ClassLoader platform = RetinanetPlugin.class.getClassLoader();
        for (RetinanetPlugin plugin : load(platform, null)) {
            found.add(new DiscoveredPlugin(plugin, sourceOf(plugin.getClass())));
        }
        for (Path dir : pluginDirs) {
            for (Path jar : jarsIn(dir)) {
                URLClassLoader loader =
                        new URLClassLoader("plugin:" + jar.getFileName(), new URL[] {toUrl(jar)}, platform);
                List<RetinanetPlugin> plugins = load(loader, jar);
                if (plugins.isEmpty()) {
                    throw new UserException("plugin jar " + jar + " has no META-INF/services/"
                            + RetinanetPlugin.class.getName() + " entry");
                }
                plugins.forEach(p -> found.add(new DiscoveredPlugin(p, jar)));
            }
        }
        return found;
    }

    /** Plugin directories from the command line plus those in {@value #PLUGINS_ENV}. */
    public static List<Path> directories(List<Path> fromCommandLine) {
        List<Path> dirs = new ArrayList<>(fromCommandLine);
        String env = System.getenv(PLUGINS_ENV);
        if (env != null && !env.isBlank()) {
            for (String part : env.split(java.io.File.pathSeparator)) {
                if (!part.isBlank()) {
                    dirs.add(Paths.get(part));
                }
            }
        }
        return dirs;
    }

    private static List<RetinanetPlugin> load(ClassLoader loader, Path jar) {
        List<RetinanetPlugin> plugins = new ArrayList<>();
        try {
            for (var provider :
                    ServiceLoader.load(RetinanetPlugin.class, loader).stream().toList()) {
                // a jar's loader also sees the parent's providers: keep only the jar's own
                if (jar == null || provider.type().getClassLoader() == loader) {
                    plugins.add(provider.get());
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new UserException(
                    "cannot load plugin" + (jar == null ? "" : " jar " + jar) + ": " + e.getMessage(), e);
        }
        return plugins;
    }

    private static List<Path> jarsIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserException("plugin directory " + dir + " does not exist or is not a directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UserException("cannot list plugin directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static URL toUrl(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UserException("bad plugin path " + jar, e);
        }
    }

    static Path sourceOf(Class<?> type) {
        CodeSource cs = type.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return null;
        }
        try {
            return Paths.get(cs.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
