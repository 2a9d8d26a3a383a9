package org.retinanet.datasets.pipeline;

/**
 * The keep-ratio size rule shared by mmdetection (mmcv's rescale_size) and torchvision
 * (GeneralizedRCNNTransform): factor = min(longMax / longer side, shortMax / shorter side); the
 * two differ only in rounding the new size.
 */
public final class ResizeRule {

    private ResizeRule() {}

    /** New [width, height] of a {@code w x h} image for the edge limits {@code a, b} (in either order). */
    public static int[] keepRatio(int w, int h, int a, int b, boolean torchvisionRounding) {
        int longMax = Math.max(a, b);
        int shortMax = Math.min(a, b);
        int longSide = Math.max(w, h);
        int shortSide = Math.min(w, h);
        if (torchvisionRounding) {
            // torchvision 0.14: the factor in float32 tensors, where `800 / t` is computed as
            // reciprocal(t) * 800 (two roundings); then interpolate floors side * factor in double
            float factor = Math.min((1f / shortSide) * shortMax, (1f / longSide) * longMax);
            return new int[] {(int) Math.floor(w * (double) factor), (int) Math.floor(h * (double) factor)};
        }
        double factor = Math.min((double) longMax / longSide, (double) shortMax / shortSide);
        return new int[] {(int) (w * factor + 0.5), (int) (h * factor + 0.5)};
    }
}
