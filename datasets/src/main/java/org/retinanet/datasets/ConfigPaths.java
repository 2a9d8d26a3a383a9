package org.retinanet.datasets;

import java.nio.file.Path;
import org.retinanet.api.data.DatasetContext;

/** Resolution of config paths against the dataset context's base directory. */
public final class ConfigPaths {

    private ConfigPaths() {}

    public static Path resolve(DatasetContext context, String path) {
        Path p = Path.of(path);
        if (p.isAbsolute() || context == null || context.baseDir() == null) {
            return p.toAbsolutePath().normalize();
        }
        return context.baseDir().resolve(p).toAbsolutePath().normalize();
    }
}
