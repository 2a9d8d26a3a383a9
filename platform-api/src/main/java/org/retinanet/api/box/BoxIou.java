package org.retinanet.api.box;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * The one place where box overlaps are computed. No +1 unless asked for: widths are x2 - x1.
 *
 * <p>The variants differ only in arithmetic, and each reproduces a reference bit for bit, which is
 * why they are not merged into one formula: training and NMS in float32 as torchvision (union
 * clamped at 1e-6 as mmdetection), OHEM's NMS with double areas, and the evaluators in double as
 * pycocotools (crowd: over the detection's area) and the VOC devkit (+1 on legacy pixel boxes).
 */
public final class BoxIou {

    private static final float EPS = 1e-6f;

    private BoxIou() {}

    /** (x2 - x1) * (y2 - y1) of (..., 4) boxes, on their device. */
    public static NDArray area(NDArray boxes) {
        NDArray w = boxes.get("..., 2").sub(boxes.get("..., 0"));
        NDArray h = boxes.get("..., 3").sub(boxes.get("..., 1"));
        return w.mul(h);
    }

    /** Intersection areas, (A, B), of boxes a (A, 4) and b (B, 4). */
    public static NDArray intersection(NDArray a, NDArray b) {
        NDArray a3 = a.expandDims(1);
        NDArray lt = a3.get(new NDIndex(":, :, :2")).maximum(b.get(new NDIndex(":, :2")));
        NDArray rb = a3.get(new NDIndex(":, :, 2:")).minimum(b.get(new NDIndex(":, 2:")));
        NDArray wh = rb.sub(lt).maximum(0f);
        return wh.get("..., 0").mul(wh.get("..., 1"));
    }

    /**
     * Pairwise IoU (A, B) as NDArray ops on the boxes' device, torchvision's {@code box_iou} step by
     * step, so that equal overlaps (on which low-quality matching depends) are equal bit for bit.
     */
    public static NDArray iou(NDArray a, NDArray b) {
        NDArray inter = intersection(a, b);
        NDArray union = area(a).expandDims(1).add(area(b)).sub(inter).maximum(EPS);
        return inter.div(union);
    }

    /** Intersection over the area of each box of {@code a}, (A, B). */
    public static NDArray iof(NDArray a, NDArray b) {
        NDArray inter = intersection(a, b);
        return inter.div(area(a).expandDims(1).maximum(EPS));
    }

    /**
     * IoU of boxes {@code i} and {@code j} of {@code boxes} (x1 y1 x2 y2 each) in float32, as {@link
     * #iou(NDArray, NDArray)} and torchvision's nms kernel compute it.
     */
    public static float iouFloat(float[] boxes, int i, int j) {
        int a = 4 * i;
        int b = 4 * j;
        float w = Math.max(0f, Math.min(boxes[a + 2], boxes[b + 2]) - Math.max(boxes[a], boxes[b]));
        float h = Math.max(0f, Math.min(boxes[a + 3], boxes[b + 3]) - Math.max(boxes[a + 1], boxes[b + 1]));
        float inter = w * h;
        float areaA = (boxes[a + 2] - boxes[a]) * (boxes[a + 3] - boxes[a + 1]);
        float areaB = (boxes[b + 2] - boxes[b]) * (boxes[b + 3] - boxes[b + 1]);
        return inter / Math.max(areaA + areaB - inter, EPS);
    }

    /**
     * IoU of boxes {@code i} and {@code j} with the overlap's sides in float32 and the areas in
     * double, as OHEM's NMS has always computed it; 0 without a positive overlap. Meant for boxes
     * of positive finite area ({@link #areaDouble}).
     */
    public static double iouDouble(float[] boxes, int i, int j) {
        int a = 4 * i;
        int b = 4 * j;
        double iw = Math.min(boxes[a + 2], boxes[b + 2]) - Math.max(boxes[a], boxes[b]);
        double ih = Math.min(boxes[a + 3], boxes[b + 3]) - Math.max(boxes[a + 1], boxes[b + 1]);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        return inter / (areaDouble(boxes, i) + areaDouble(boxes, j) - inter);
    }

    /** Area of box {@code i} in double, or 0 for an empty, inverted or non-finite box. */
    public static double areaDouble(float[] boxes, int i) {
        int b = 4 * i;
        double w = (double) boxes[b + 2] - boxes[b];
        double h = (double) boxes[b + 3] - boxes[b + 1];
        if (!Double.isFinite(w) || !Double.isFinite(h) || w <= 0 || h <= 0) {
            return 0;
        }
        return w * h;
    }

    /**
     * IoU of a detection d and a ground truth g given as (x, y, w, h), pycocotools' {@code bbIou}
     * (maskApi.c): for a crowd gt the union is the detection's own area.
     */
    public static double iouXywh(
            double dx, double dy, double dw, double dh, double gx, double gy, double gw, double gh, boolean crowd) {
        double w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
        if (w <= 0) {
            return 0;
        }
        double h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
        if (h <= 0) {
            return 0;
        }
        double da = dw * dh;
        double inter = w * h;
        double union = crowd ? da : da + gw * gh - inter;
        return inter / union;
    }

    /**
     * IoU of corner boxes in double as the VOC devkit computes it; {@code one} is 1 for its legacy
     * inclusive pixel coordinates (a box from 0 to 9 is 10 wide), else 0.
     */
    public static double iouCorners(
            double ax1,
            double ay1,
            double ax2,
            double ay2,
            double bx1,
            double by1,
            double bx2,
            double by2,
            double one) {
        double iw = Math.min(ax2, bx2) - Math.max(ax1, bx1) + one;
        double ih = Math.min(ay2, by2) - Math.max(ay1, by1) + one;
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double areaA = (ax2 - ax1 + one) * (ay2 - ay1 + one);
        double areaB = (bx2 - bx1 + one) * (by2 - by1 + one);
        return inter / (areaA + areaB - inter);
    }
}
