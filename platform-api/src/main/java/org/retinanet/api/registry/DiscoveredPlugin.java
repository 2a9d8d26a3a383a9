package org.retinanet.api.registry;

import java.nio.file.Path;
import org.retinanet.api.spi.RetinanetPlugin;

/** A plugin instance and where it came from: a jar (or class directory) on disk. */
public record DiscoveredPlugin(RetinanetPlugin plugin, Path source) {

    public String describe() {
        return plugin.getClass().getName() + " (" + (source == null ? "class path" : source) + ")";
    }
}
