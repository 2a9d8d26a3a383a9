package org.retinanet.datasets.images;

import java.util.List;
import org.retinanet.api.config.DatasetConfig;

/**
 * {@code type: images}: images without annotations, for {@code retinanet predict}. Either
 * {@code files} (a list of image paths) or {@code dir} (every .jpg, .jpeg and .png in it, sorted
 * by name); {@code classes}: class names to report (default none).
 */
public record ImageListConfig(List<String> files, String dir, List<String> classes) implements DatasetConfig {

    public ImageListConfig {
        if ((files == null) == (dir == null)) {
            throw new IllegalArgumentException("images dataset: give exactly one of 'files' or 'dir'");
        }
        if (files != null && files.isEmpty()) {
            throw new IllegalArgumentException("images dataset: 'files' is empty");
        }
        if (classes == null) {
            classes = List.of();
        }
    }
}
