package org.retinanet.datasets.shapes;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;
import org.retinanet.api.config.DatasetConfig;

/**
 * {@code type: shapes}: a synthetic detection set, generated on demand from {@code seed}.
 *
 * <ul>
 *   <li>{@code numImages} (256); {@code imageSize}: one number for square images or [width,
 *       height] (default 128);
 *   <li>{@code minObjects}..{@code maxObjects} per image (1..5), sides of {@code minObjectSize}..
 *       {@code maxObjectSize} pixels (12..60, log-uniform so small objects are frequent);
 *   <li>{@code classes}: a subset of rectangle, ellipse, triangle, cross (default all four, in
 *       that order; COCO ids 1..4 follow that order);
 *   <li>{@code noise}: amplitude of uniform per-pixel noise (8); {@code clutterLines}: thin
 *       random lines that are not objects (3);
 *   <li>{@code minVisible} (0.3): a shape that later shapes cover so that less than this fraction
 *       stays visible becomes an ignore region; a fully hidden shape gets no box;
 *   <li>{@code seed}: default 1 for training and 2 for testing, so train and test sets differ.
 * </ul>
 */
public record ShapesDatasetConfig(
        Integer numImages,

        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<Integer> imageSize,

        Integer minObjects,
        Integer maxObjects,
        Integer minObjectSize,
        Integer maxObjectSize,
        List<String> classes,
        Integer noise,
        Integer clutterLines,
        Double minVisible,
        Long seed)
        implements DatasetConfig {

    public static final List<String> ALL_CLASSES = List.of("rectangle", "ellipse", "triangle", "cross");

    public ShapesDatasetConfig {
        numImages = positive("numImages", numImages, 256);
        if (imageSize == null) {
            imageSize = List.of(128);
        }
        if (imageSize.isEmpty() || imageSize.size() > 2 || imageSize.stream().anyMatch(s -> s == null || s < 16)) {
            throw new IllegalArgumentException(
                    "shapes dataset: imageSize must be one size or [width, height], each >= 16, got " + imageSize);
        }
        minObjects = nonNegative("minObjects", minObjects, 1);
        maxObjects = nonNegative("maxObjects", maxObjects, 5);
        if (maxObjects < minObjects) {
            throw new IllegalArgumentException(
                    "shapes dataset: maxObjects (" + maxObjects + ") < minObjects (" + minObjects + ")");
        }
        minObjectSize = positive("minObjectSize", minObjectSize, 12);
        maxObjectSize = positive("maxObjectSize", maxObjectSize, 60);
        if (maxObjectSize < minObjectSize) {
            throw new IllegalArgumentException(
                    "shapes dataset: maxObjectSize (" + maxObjectSize + ") < minObjectSize (" + minObjectSize + ")");
        }
        if (minObjectSize < 3) {
            throw new IllegalArgumentException("shapes dataset: minObjectSize must be >= 3, got " + minObjectSize);
        }
        if (classes == null) {
            classes = ALL_CLASSES;
        }
        if (classes.isEmpty() || classes.stream().distinct().count() != classes.size()) {
            throw new IllegalArgumentException(
                    "shapes dataset: classes must be distinct and non-empty, got " + classes);
        }
        for (String c : classes) {
            if (!ALL_CLASSES.contains(c)) {
                throw new IllegalArgumentException(
                        "shapes dataset: unknown class '" + c + "', known: " + String.join(", ", ALL_CLASSES));
            }
        }
        noise = nonNegative("noise", noise, 8);
        clutterLines = nonNegative("clutterLines", clutterLines, 3);
        if (minVisible == null) {
            minVisible = 0.3;
        }
        if (minVisible < 0 || minVisible > 1) {
            throw new IllegalArgumentException("shapes dataset: minVisible must be in [0, 1], got " + minVisible);
        }
    }

    public int width() {
        return imageSize.get(0);
    }

    public int height() {
        return imageSize.get(imageSize.size() - 1);
    }

    private static int positive(String field, Integer value, int fallback) {
        int v = value == null ? fallback : value;
        if (v < 1) {
            throw new IllegalArgumentException("shapes dataset: " + field + " must be >= 1, got " + v);
        }
        return v;
    }

    private static int nonNegative(String field, Integer value, int fallback) {
        int v = value == null ? fallback : value;
        if (v < 0) {
            throw new IllegalArgumentException("shapes dataset: " + field + " must be >= 0, got " + v);
        }
        return v;
    }

    /** All defaults: 256 images of 128 x 128, seed from the context. */
    public static ShapesDatasetConfig defaults() {
        return new ShapesDatasetConfig(null, null, null, null, null, null, null, null, null, null, null);
    }
}
