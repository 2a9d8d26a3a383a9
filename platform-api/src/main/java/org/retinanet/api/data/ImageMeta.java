package org.retinanet.api.data;

/**
 * Geometry of one image in a batch: its dataset id, original size, the size after resizing (the
 * valid region at the top-left of the padded tensor), the scale factors applied
 * (resized = original * scale) and whether it was flipped horizontally.
 */
public record ImageMeta(
        long imageId,
        int originalWidth,
        int originalHeight,
        int width,
        int height,
        double scaleX,
        double scaleY,
        boolean flipped) {}
