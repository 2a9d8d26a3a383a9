package org.retinanet.datasets.pipeline;

import java.util.List;
import org.retinanet.api.data.BoxTargets;
import org.retinanet.api.data.DecodedImage;
import org.retinanet.api.data.GtBox;
import org.retinanet.api.data.InputNormalization;

/**
 * Per-image geometry and pixels: bilinear resize, optional horizontal flip and per-channel
 * normalisation, written in one pass as planar (CHW) floats.
 *
 * <p>Interpolation is torchvision's: {@code F.interpolate(mode='bilinear', align_corners=False)}
 * on float pixels, source coordinate (dst + 0.5) * in / out - 0.5 clamped at 0, no antialiasing.
 * mmdetection resizes the uint8 image with OpenCV (also bilinear, half-pixel centres, but with
 * 11-bit fixed-point weights and a uint8 result), so its pixels differ from these by rounding.
 * Because resizing is linear and its weights sum to 1, normalising before (torchvision) or after
 * (mmdetection) gives the same floats up to rounding.
 */
public final class ImageTransform {

    private ImageTransform() {}

    /** Resized, flipped and normalised pixels, {@code 3 * newHeight * newWidth} floats in CHW order. */
    public static float[] pixels(
            DecodedImage image, int newWidth, int newHeight, boolean flip, InputNormalization norm) {
        int w = image.width();
        int h = image.height();
        byte[] rgb = image.rgb();
        int[] x0 = new int[newWidth];
        int[] x1 = new int[newWidth];
        float[] lx = new float[newWidth];
        sourceIndices(w, newWidth, x0, x1, lx);
        int[] y0 = new int[newHeight];
        int[] y1 = new int[newHeight];
        float[] ly = new float[newHeight];
        sourceIndices(h, newHeight, y0, y1, ly);

        // channel c of the output reads input channel src[c] (BGR swaps R and B)
        int[] src = norm.bgr() ? new int[] {2, 1, 0} : new int[] {0, 1, 2};
        float[] mean = norm.mean();
        float[] invStd = new float[3];
        for (int c = 0; c < 3; c++) {
            invStd[c] = 1f / norm.std()[c];
        }
        int plane = newWidth * newHeight;
        float[] out = new float[3 * plane];
        for (int y = 0; y < newHeight; y++) {
            int row0 = y0[y] * w * 3;
            int row1 = y1[y] * w * 3;
            float b = ly[y];
            float a = 1f - b;
            int outRow = y * newWidth;
            for (int x = 0; x < newWidth; x++) {
                int c0 = x0[x] * 3;
                int c1 = x1[x] * 3;
                float r = lx[x];
                float l = 1f - r;
                int dst = outRow + (flip ? newWidth - 1 - x : x);
                for (int c = 0; c < 3; c++) {
                    int s = src[c];
                    float v = a * (l * (rgb[row0 + c0 + s] & 0xFF) + r * (rgb[row0 + c1 + s] & 0xFF))
                            + b * (l * (rgb[row1 + c0 + s] & 0xFF) + r * (rgb[row1 + c1 + s] & 0xFF));
                    out[c * plane + dst] = (v - mean[c]) * invStd[c];
                }
            }
        }
        return out;
    }

    /** torch's area_pixel_compute_source_index for linear modes, align_corners=False. */
    static void sourceIndices(int in, int out, int[] i0, int[] i1, float[] lambda) {
        float scale = (float) in / out;
        for (int d = 0; d < out; d++) {
            float real = scale * (d + 0.5f) - 0.5f;
            if (real < 0) {
                real = 0;
            }
            int lo = (int) real;
            i0[d] = lo;
            i1[d] = lo < in - 1 ? lo + 1 : lo;
            lambda[d] = real - lo;
        }
    }

    /**
     * Boxes in resized pixels like mmdetection: corners times (scaleX, scaleY), clipped to the
     * resized image, then flipped as x1' = W - x2, x2' = W - x1.
     */
    public static BoxTargets boxes(
            List<GtBox> gt, double scaleX, double scaleY, int newWidth, int newHeight, boolean flip) {
        int n = gt.size();
        float[] boxes = new float[4 * n];
        int[] labels = new int[n];
        boolean[] ignore = new boolean[n];
        for (int i = 0; i < n; i++) {
            GtBox g = gt.get(i);
            double x1 = clip(g.x1() * scaleX, newWidth);
            double y1 = clip(g.y1() * scaleY, newHeight);
            double x2 = clip(g.x2() * scaleX, newWidth);
            double y2 = clip(g.y2() * scaleY, newHeight);
            if (flip) {
                double t = newWidth - x2;
                x2 = newWidth - x1;
                x1 = t;
            }
            boxes[4 * i] = (float) x1;
            boxes[4 * i + 1] = (float) y1;
            boxes[4 * i + 2] = (float) x2;
            boxes[4 * i + 3] = (float) y2;
            labels[i] = g.label();
            ignore[i] = g.ignore();
        }
        return new BoxTargets(boxes, labels, ignore);
    }

    private static double clip(double v, int max) {
        return Math.min(Math.max(v, 0), max);
    }
}
