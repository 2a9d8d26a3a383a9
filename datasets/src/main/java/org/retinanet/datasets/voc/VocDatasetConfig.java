package org.retinanet.datasets.voc;

import java.util.List;
import org.retinanet.api.config.DatasetConfig;

/**
 * {@code type: voc}: {@code root} is a VOC year directory (VOCdevkit/VOC2007) holding
 * Annotations/, JPEGImages/ and ImageSets/Main/; {@code split} names ImageSets/Main/&lt;split&gt;.txt
 * (default trainval for training, test otherwise); {@code classes} default the 20 VOC classes in
 * the standard order; {@code filterEmpty} / {@code minSize} / {@code skipBadImages} as for coco.
 */
public record VocDatasetConfig(
        String root, String split, List<String> classes, Boolean filterEmpty, Integer minSize, Boolean skipBadImages)
        implements DatasetConfig {

    public static final List<String> VOC_CLASSES = List.of(
            "aeroplane",
            "bicycle",
            "bird",
            "boat",
            "bottle",
            "bus",
            "car",
            "cat",
            "chair",
            "cow",
            "diningtable",
            "dog",
            "horse",
            "motorbike",
            "person",
            "pottedplant",
            "sheep",
            "sofa",
            "train",
            "tvmonitor");

    public VocDatasetConfig {
        if (root == null || root.isBlank()) {
            throw new IllegalArgumentException("voc dataset: 'root' (the VOC2007 / VOC2012 directory) is required");
        }
        if (classes == null) {
            classes = VOC_CLASSES;
        }
        if (classes.isEmpty() || classes.stream().distinct().count() != classes.size()) {
            throw new IllegalArgumentException("voc dataset: classes must be distinct and non-empty, got " + classes);
        }
        if (minSize != null && minSize < 0) {
            throw new IllegalArgumentException("voc dataset: minSize must be >= 0, got " + minSize);
        }
        if (skipBadImages == null) {
            skipBadImages = false;
        }
    }
}
