package org.retinanet.datasets.coco;

import org.retinanet.api.config.DatasetConfig;

/**
 * {@code type: coco}. {@code annotations}: a COCO instances JSON file; {@code images}: the image
 * directory (default: the JSON file's directory); relative paths resolve against the config's
 * directory. {@code filterEmpty} (default: true for training, as mmdetection's filter_empty_gt)
 * drops images that have no annotation at all; {@code minSize} (default 32 for training, 0 for
 * testing, as mmdetection's filter_cfg) drops images whose shorter side is smaller.
 * Every image used must be in the image directory, checked when the dataset is built (where
 * its images will be read: evaluation needs neither the files nor their {@code file_name}s);
 * {@code skipBadImages} (default false) leaves missing images out (counted on one stderr line)
 * and lets the loader skip undecodable ones, instead of failing.
 */
public record CocoDatasetConfig(
        String annotations, String images, Boolean filterEmpty, Integer minSize, Boolean skipBadImages)
        implements DatasetConfig {

    public CocoDatasetConfig {
        if (annotations == null || annotations.isBlank()) {
            throw new IllegalArgumentException("coco dataset: 'annotations' (the instances JSON file) is required");
        }
        if (minSize != null && minSize < 0) {
            throw new IllegalArgumentException("coco dataset: minSize must be >= 0, got " + minSize);
        }
        if (skipBadImages == null) {
            skipBadImages = false;
        }
    }
}
