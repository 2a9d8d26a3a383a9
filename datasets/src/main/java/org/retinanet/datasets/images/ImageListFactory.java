package org.retinanet.datasets.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.retinanet.api.data.DatasetContext;
import org.retinanet.api.data.DetectionDataset;
import org.retinanet.api.registry.UserException;
import org.retinanet.api.spi.DatasetFactory;
import org.retinanet.datasets.ConfigPaths;

/** {@code images}: a list or directory of JPEG / PNG files without annotations. */
public final class ImageListFactory implements DatasetFactory<ImageListConfig> {

    @Override
    public String id() {
        return "images";
    }

    @Override
    public Class<ImageListConfig> configType() {
        return ImageListConfig.class;
    }

    @Override
    public String description() {
        return "plain JPEG/PNG files (a list or a directory) without annotations, for prediction";
    }

    @Override
    public DetectionDataset create(ImageListConfig config, DatasetContext context) {
        if (config.files() != null) {
            List<Path> files = config.files().stream()
                    .map(f -> ConfigPaths.resolve(context, f))
                    .toList();
            return new ImageListDataset("images:" + files.size(), files, config.classes());
        }
        Path dir = ConfigPaths.resolve(context, config.dir());
        if (!Files.isDirectory(dir)) {
            throw new UserException("images dataset: not a directory: " + dir);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(ImageListFactory::isImage).sorted().toList();
        } catch (IOException e) {
            throw new UserException("images dataset: cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new UserException("images dataset: no .jpg, .jpeg or .png files in " + dir);
        }
        return new ImageListDataset("images:" + dir.getFileName(), files, config.classes());
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }
}
