package org.retinanet.api.data;

import java.io.IOException;
import java.util.List;

/**
 * Annotations and image access of a detection dataset. Thread-safe for reads: the loader decodes
 * images from several threads.
 */
public interface DetectionDataset {

    /** Human-readable name, for logs and reports (for example {@code coco:val2017}). */
    String name();

    /** Classes in label order (label i at index i). */
    List<Category> categories();

    int size();

    ImageAnnotations annotations(int index);

    /**
     * Decodes image {@code index} as RGB (grayscale and RGBA converted, EXIF orientation applied).
     *
     * @throws IOException naming the file when it is missing, truncated or not an image
     */
    DecodedImage image(int index) throws IOException;

    /** Number of images in which every annotation was dropped or that were filtered; for reports. */
    default String loadSummary() {
        return size() + " images";
    }
}
