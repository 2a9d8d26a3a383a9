package org.retinanet.api.data;

import java.nio.file.Path;

/**
 * Where relative paths in a dataset config resolve ({@code baseDir}: the directory of the config
 * file, or the working directory), whether the dataset is for training (mmdetection filters
 * images without annotations only then), the experiment seed (for generated datasets), and
 * whether its images will be read ({@code readsImages}; false where only the annotations are
 * used, as in evaluation: a file-backed dataset then needs no image files or file names).
 */
public record DatasetContext(Path baseDir, boolean training, long seed, boolean readsImages) {

    /** A dataset whose images will be read (training, inference). */
    public DatasetContext(Path baseDir, boolean training, long seed) {
        this(baseDir, training, seed, true);
    }
}
