package org.retinanet.api.data;

import java.nio.file.Path;

/**
 * Where relative paths in a dataset config resolve ({@code baseDir}: the directory of the config
 * file, or the working directory), whether the dataset is for training (mmdetection filters
 * images without annotations only then), and the experiment seed (for generated datasets).
 */
public record DatasetContext(Path baseDir, boolean training, long seed) {}
